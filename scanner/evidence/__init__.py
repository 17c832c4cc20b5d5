"""The auditor evidence bundle: `comply evidence export` and `comply evidence verify`.

`model` turns reports, the catalog, attestations and waivers into plain data; `builder` renders
and writes it (directory or zip); `manifest` hashes and signs; `verify` checks a bundle.
"""
