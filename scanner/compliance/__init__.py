"""Framework catalogs, attestations, waivers and suppressions, the control roll-up, coverage and
the generated references: what turns findings into a status per control."""
