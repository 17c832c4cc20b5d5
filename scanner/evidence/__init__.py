"""The auditor evidence bundle: `comply evidence export` and `comply evidence verify`.

`model` holds the bundle as plain data (records); `model_assembly` builds it from reports, the
catalog, attestations and waivers (with `report_records` and `control_rollup`); `builder` renders
(`pages`, `data_files`, `oscal`) and writes it (`bundle_writing`: directory or zip) after reading
the inputs (`inputs`); `manifest` hashes and signs; `verify` checks a bundle.
"""
