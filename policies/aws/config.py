"""AWS Config configuration recorders (`aws_config_configuration_recorder`, live AWS only).

The Config collector folds DescribeConfigurationRecorderStatus into each recorder as `recording`
(Terraform keeps it in `aws_config_configuration_recorder_status.is_enabled`, which the Terraform
source does not fold, so these checks judge only resources collected from AWS). A region without
any recorder is a resource too (`exists: false`, id ending in `configuration-recorder/(none)`).
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


@check(
    id="config_recorder_recording",
    title="AWS Config recorders are recording every supported resource type",
    severity="medium",
    resource_types=["aws_config_configuration_recorder"],
    sources=["aws"],
)
def config_recorder_recording(recorder: Resource) -> Result:
    """AWS Config keeps the configuration history of every recorded resource: who changed a
    security group, a bucket policy or an encryption setting, and when. That history is the audit
    trail of configuration changes and the evidence that configuration is monitored; a stopped
    recorder, or one recording only a chosen list of types, leaves changes unrecorded.

    The recorder must be recording (`recording`, from the recorder status), its last recording
    attempt must not have failed, and it must record all supported resource types
    (`recording_group.all_supported`, true when absent). Service-linked recorders, created by
    another AWS service for its own needs, pass as not applicable. A scanned region with no
    recorder at all fails, and one whose recorders could not be listed is unknown.

    Remediation: record all supported types and start the recorder
    (`aws configservice start-configuration-recorder --configuration-recorder-name default`), or in
    Terraform:

        resource "aws_config_configuration_recorder" "main" {
          role_arn = aws_iam_role.config.arn
          recording_group {
            all_supported                 = true
            include_global_resource_types = true
          }
        }

        resource "aws_config_configuration_recorder_status" "main" {
          name       = aws_config_configuration_recorder.main.name
          is_enabled = true
          depends_on = [aws_config_delivery_channel.main]
        }
    """
    region = recorder.location.region
    exists = recorder.get("exists", True)
    if is_unknown(exists):
        return Result.unknown(f"cannot tell whether {region} has a recorder: {exists.reason}")
    if exists is False:
        return Result.failed(f"no AWS Config recorder in {region}: no configuration history")
    name = recorder.get("name")
    service = recorder.get("service_principal")
    if service:
        return Result.passed(f"not applicable: {name} is a service-linked recorder of {service}")
    recording = recorder.get("recording")
    if is_unknown(recording):
        return Result.unknown(f"status of recorder {name} is unknown: {recording.reason}")
    if recording is None:
        return Result.unknown(f"no status was returned for recorder {name}")
    if not recorder.get_bool("recording", False):
        return Result.failed(f"recorder {name} is stopped")
    last_status = recorder.get("last_status")
    if isinstance(last_status, str) and last_status.upper() == "FAILURE":
        return Result.failed(f"recorder {name} is on but its last recording attempt failed")
    if not recorder.get_bool("recording_group.0.all_supported", True):
        included = recorder.get("recording_group.0.resource_types") or []
        excluded = recorder.get("recording_group.0.exclusion_by_resource_types.0.resource_types")
        scope = (
            f"all types except {len(excluded)} excluded"
            if excluded
            else f"only {len(included)} listed resource type(s)"
        )
        return Result.failed(f"recorder {name} is recording {scope}, not all supported types")
    return Result.passed(f"recorder {name} is recording all supported resource types")
