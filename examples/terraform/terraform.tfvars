environment         = "prod"
region              = "us-east-1"
db_instance_class   = "db.r6g.xlarge"
acm_certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/0b7e1a54-5c1f-4a53-9d0e-2f7d6c1e8a90"
