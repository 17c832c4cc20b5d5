"""Regenerate controls/engines/checkov.yaml from an installed checkov's `--list`.

    python scripts/checkov_mapping.py /path/to/checkov > controls/engines/checkov.yaml

Each id in scope (AWS, Kubernetes, secrets) is classified by the first category rule whose
pattern matches its policy title; REVIEWED overrides the rules where a reading of the title
showed the keyword misleads. Ids of other clouds are listed by prefix as not reviewed. The rules
are written down in docs/engines.md; the output is reviewed before it is committed.
"""

from __future__ import annotations

import re
import subprocess
import sys

IN_SCOPE = re.compile(r"^(CKV2?_AWS|CKV2?_K8S|CKV_SECRET)_\d+$")
HIPAA_SECRETS = ["164.312(a)(1)"]

# category -> (severity, hipaa, soc2, rationale)
CATEGORIES: dict[str, tuple[str, list[str], list[str], str]] = {
    "secret": (
        "high",
        ["164.312(a)(1)"],
        ["CC6.1"],
        "a credential in source code defeats access control to systems holding ePHI",
    ),
    "transit": (
        "high",
        ["164.312(e)(1)", "164.312(e)(2)(ii)"],
        ["CC6.7"],
        "encryption of data in transit",
    ),
    "rest": (
        "high",
        ["164.312(a)(2)(iv)"],
        ["CC6.1"],
        "encryption of data at rest",
    ),
    "exposure": (
        "high",
        ["164.312(e)(1)"],
        ["CC6.6"],
        "network exposure of a system to the internet or untrusted networks",
    ),
    "logging": (
        "medium",
        ["164.312(b)"],
        ["CC7.2"],
        "audit logging and monitoring of system activity",
    ),
    "integrity": (
        "medium",
        ["164.312(c)(1)"],
        ["CC6.1"],
        "protection of data or logs against improper alteration or destruction",
    ),
    "backup": (
        "medium",
        ["164.308(a)(7)(ii)(A)"],
        ["A1.2"],
        "backup and recoverability of data",
    ),
    "mfa": (
        "high",
        ["164.312(d)"],
        ["CC6.1"],
        "authentication of the person or entity seeking access",
    ),
    "access": (
        "high",
        ["164.312(a)(1)"],
        ["CC6.1", "CC6.3"],
        "least-privilege access control",
    ),
    "workload": (
        "high",
        ["164.312(a)(1)"],
        ["CC6.1", "CC6.8"],
        "container isolation: a workload must not gain host or root privileges",
    ),
    "password": (
        "medium",
        ["164.308(a)(5)(ii)(D)"],
        ["CC6.1"],
        "password management: creating, changing and safeguarding passwords",
    ),
    "vuln": (
        "medium",
        ["164.308(a)(1)(ii)(B)"],
        ["CC7.1"],
        "timely security patches reduce known vulnerabilities (risk management)",
    ),
    "logging_data": (
        "medium",
        ["164.312(a)(1)"],
        ["C1.1"],
        "request and response bodies in logs copy confidential data outside its controls",
    ),
    "capacity": (
        "low",
        [],
        ["A1.1"],
        "resource limits keep one workload from exhausting the capacity of others",
    ),
    "change": (
        "low",
        [],
        ["CC8.1"],
        "pinned, reviewed artefacts: what runs is what was approved",
    ),
}

UNMAPPED_REASON = {
    "metadata": "naming, tagging or description hygiene: no HIPAA or SOC 2 requirement",
    "tuning": "reliability or cost tuning, not a security or availability control",
    "other": "reviewed: no HIPAA Security Rule citation or SOC 2 criterion bears on it directly",
}

# Ordered: the first match wins. Lower-case policy titles.
RULES: list[tuple[str, str]] = [
    (r"description|\btag|naming|label", "unmapped:metadata"),
    (
        r"in transit|in-transit|\btls\b|\bssl\b|https|cipher|certificate|secure protocol|"
        r"node-to-node|\bhttp\b",
        "transit",
    ),
    (r"multi.?factor|\bmfa\b", "mfa"),
    (r"hard.?coded|secret.*(environment|env)|credentials? .*(expos|plain|code)", "secret"),
    (r"encrypt|\bkms\b|\bcmk\b|customer managed key", "rest"),
    (
        r"log|audit|trail|monitor|x-?ray|tracing|insights|alarm|guardduty|security hub|"
        r"inspector|config recorder|detective|macie",
        "logging",
    ),
    (
        r"backup|point in time|recovery|snapshot|deletion protection|multi-?az|replicat|"
        r"retention|versioning|termination protection",
        "backup",
    ),
    (r"object lock|integrity|validation|immutable|signing|signed", "integrity"),
    (
        r"public|0\.0\.0\.0|::/0|internet|ingress|security group|port \d|\bssh\b|\brdp\b|"
        r"\bvpc\b|subnet|network policy|hostnetwork|hostport|exposed|open to|anonymous|"
        r"endpoint",
        "exposure",
    ),
    (
        r"privileged|capabilit|host ?pid|host ?ipc|root|seccomp|apparmor|selinux|"
        r"allowprivilegeescalation|privilege escalation|security ?context|read.?only|"
        r"docker socket|hostpath|proc mount|uid|sysctl",
        "workload",
    ),
    (
        r"iam|polic|privilege|admin|\brole\b|permission|password|authenticat|authoriz|rbac|"
        r"service ?account|access key|\bwildcard|\*|token|cognito|assume",
        "access",
    ),
    (r"\bcpu\b|memory|limit|request|concurrency|quota", "capacity"),
    (r"image|digest|\btag\b|pull policy|latest|registry", "change"),
    (
        r"dead letter|\bdlq\b|probe|liveness|readiness|timeout|deprecat|runtime|version",
        "unmapped:tuning",
    ),
]

# Ids whose title misleads the rules, read one by one: id -> category or unmapped:reason-key.
REVIEWED: dict[str, str] = {
    "CKV2_AWS_15": "unmapped:tuning",
    "CKV2_AWS_16": "capacity",
    "CKV2_AWS_23": "unmapped:other",
    "CKV2_AWS_33": "exposure",
    "CKV2_AWS_35": "unmapped:other",
    "CKV2_AWS_37": "change",
    "CKV2_AWS_46": "access",
    "CKV2_AWS_48": "logging",
    "CKV2_AWS_52": "access",
    "CKV2_AWS_55": "rest",
    "CKV2_AWS_57": "access",
    "CKV2_AWS_59": "backup",
    "CKV2_AWS_61": "unmapped:tuning",
    "CKV2_AWS_62": "logging",
    "CKV2_AWS_65": "access",
    "CKV_AWS_7": "rest",
    "CKV_AWS_59": "access",
    "CKV_AWS_68": "exposure",
    "CKV_AWS_70": "access",
    "CKV_AWS_114": "access",
    "CKV_AWS_120": "unmapped:tuning",
    "CKV_AWS_121": "logging",
    "CKV_AWS_124": "logging",
    "CKV_AWS_135": "unmapped:tuning",
    "CKV_AWS_138": "backup",
    "CKV_AWS_143": "integrity",
    "CKV_AWS_152": "backup",
    "CKV_AWS_175": "exposure",
    "CKV_AWS_195": "rest",
    "CKV_AWS_196": "exposure",
    "CKV_AWS_198": "exposure",
    "CKV_AWS_211": "transit",
    "CKV_AWS_216": "unmapped:other",
    "CKV_AWS_217": "backup",
    "CKV_AWS_225": "unmapped:tuning",
    "CKV_AWS_226": "vuln",
    "CKV_AWS_237": "backup",
    "CKV_AWS_257": "change",
    "CKV_AWS_258": "access",
    "CKV_AWS_276": "logging_data",
    "CKV_AWS_291": "exposure",
    "CKV_AWS_295": "secret",
    "CKV_AWS_300": "unmapped:tuning",
    "CKV_AWS_304": "access",
    "CKV_AWS_310": "backup",
    "CKV_AWS_312": "logging",
    "CKV_AWS_315": "unmapped:tuning",
    "CKV_AWS_318": "backup",
    "CKV_AWS_320": "unmapped:other",
    "CKV_AWS_326": "backup",
    "CKV_AWS_328": "exposure",
    "CKV_AWS_330": "access",
    "CKV_AWS_335": "workload",
    "CKV_AWS_340": "vuln",
    "CKV_AWS_342": "exposure",
    "CKV_AWS_370": "exposure",
    "CKV_AWS_371": "access",
    "CKV_AWS_374": "unmapped:other",
    "CKV_AWS_377": "integrity",
    "CKV_AWS_383": "unmapped:other",
    "CKV_AWS_394": "unmapped:tuning",
    "CKV_K8S_1": "workload",
    "CKV_K8S_4": "workload",
    "CKV_K8S_17": "workload",
    "CKV_K8S_19": "workload",
    "CKV_K8S_21": "unmapped:other",
    "CKV_K8S_27": "workload",
    "CKV_K8S_33": "exposure",
    "CKV_K8S_34": "access",
    "CKV_K8S_44": "access",
    "CKV_K8S_45": "access",
    "CKV_K8S_69": "access",
    "CKV_K8S_79": "access",
    "CKV_K8S_83": "access",
    "CKV_K8S_85": "access",
    "CKV_K8S_86": "exposure",
    "CKV_K8S_88": "exposure",
    "CKV_K8S_89": "transit",
    "CKV_K8S_90": "unmapped:other",
    "CKV_K8S_96": "access",
    "CKV_K8S_97": "access",
    "CKV_K8S_99": "transit",
    "CKV_K8S_102": "transit",
    "CKV_K8S_106": "capacity",
    "CKV_K8S_107": "unmapped:other",
    "CKV_K8S_108": "access",
    "CKV_K8S_110": "access",
    "CKV_K8S_113": "exposure",
    "CKV_K8S_114": "unmapped:other",
    "CKV_K8S_115": "exposure",
    "CKV_K8S_116": "transit",
    "CKV_K8S_117": "access",
    "CKV_K8S_119": "transit",
    "CKV_K8S_121": "access",
    "CKV_K8S_140": "access",
    "CKV_K8S_144": "workload",
    "CKV_K8S_145": "exposure",
    "CKV_K8S_146": "unmapped:other",
    "CKV_K8S_147": "logging",
    "CKV_K8S_155": "access",
    "CKV2_AWS_32": "transit",
    "CKV_AWS_259": "transit",
    "CKV_AWS_206": "transit",
    "CKV_AWS_380": "transit",
    "CKV_AWS_379": "transit",
    "CKV_K8S_15": "change",
    "CKV2_AWS_75": "exposure",
    "CKV2_K8S_6": "exposure",
    "CKV_AWS_9": "password",
    "CKV_AWS_10": "password",
    "CKV_AWS_11": "password",
    "CKV_AWS_12": "password",
    "CKV_AWS_13": "password",
    "CKV_AWS_14": "password",
    "CKV_AWS_15": "password",
    "CKV2_AWS_19": "unmapped:other",
    "CKV2_AWS_5": "unmapped:other",
    "CKV_AWS_388": "vuln",
    "CKV_AWS_305": "exposure",
    "CKV_AWS_329": "access",
    "CKV_AWS_348": "access",
    "CKV_AWS_93": "access",
    "CKV_K8S_111": "transit",
    "CKV_K8S_141": "exposure",
    "CKV_AWS_110": "access",
    "CKV_AWS_286": "access",
    "CKV2_K8S_1": "access",
    "CKV2_K8S_2": "access",
    "CKV2_AWS_53": "unmapped:other",
    "CKV_AWS_341": "access",
    "CKV_K8S_159": "change",
    "CKV_K8S_95": "unmapped:tuning",
    "CKV_AWS_163": "vuln",
    "CKV_AWS_332": "vuln",
    "CKV_AWS_333": "exposure",
    "CKV_K8S_36": "workload",
    "CKV_K8S_37": "workload",
    "CKV_AWS_222": "vuln",
    "CKV_AWS_302": "exposure",
    "CKV_AWS_89": "exposure",
    "CKV_AWS_141": "vuln",
    "CKV_AWS_207": "vuln",
    "CKV_AWS_208": "vuln",
    "CKV_AWS_322": "vuln",
    "CKV_AWS_339": "vuln",
    "CKV_AWS_363": "vuln",
    "CKV_AWS_79": "access",
    "CKV_AWS_51": "change",
    "CKV_K8S_14": "change",
    "CKV_AWS_107": "access",
    "CKV_AWS_287": "access",
    "CKV_K8S_35": "access",
    "CKV2_AWS_64": "access",
    "CKV_AWS_227": "unmapped:other",
    "CKV_AWS_33": "access",
    "CKV_AWS_351": "transit",
    "CKV_AWS_369": "transit",
    "CKV_AWS_224": "logging",
    "CKV2_AWS_71": "unmapped:other",
    "CKV2_AWS_51": "access",
    "CKV_AWS_131": "exposure",
    "CKV_AWS_233": "unmapped:tuning",
    "CKV_AWS_234": "unmapped:other",
    "CKV_AWS_250": "vuln",
    "CKV_AWS_261": "unmapped:tuning",
    "CKV_K8S_156": "access",
    "CKV2_AWS_47": "vuln",
    "CKV2_AWS_76": "vuln",
    "CKV2_AWS_77": "vuln",
    "CKV2_AWS_78": "vuln",
    "CKV_AWS_192": "vuln",
    "CKV_AWS_36": "integrity",
}


def installed_ids(executable: str) -> dict[str, str]:
    output = subprocess.run(
        [executable, "--list", "--framework", "terraform", "kubernetes", "secrets"],
        capture_output=True,
        text=True,
        check=False,
        env={"BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
    ).stdout
    titles: dict[str, str] = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 6 and re.match(r"^CKV", cells[2]):
            titles.setdefault(cells[2], cells[5])
    return titles


def classify(check_id: str, title: str) -> str:
    if check_id in REVIEWED:
        return REVIEWED[check_id]
    if check_id.startswith("CKV_SECRET_"):
        return "secret"
    lowered = title.lower()
    for pattern, category in RULES:
        if re.search(pattern, lowered):
            return category
    return "unmapped:other"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(executable: str) -> None:
    titles = installed_ids(executable)
    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    mapped: list[str] = []
    unmapped: list[str] = []
    for check_id in sorted(titles, key=lambda i: (i.rsplit("_", 1)[0], int(i.rsplit("_", 1)[1]))):
        if not IN_SCOPE.match(check_id):
            continue
        title = titles[check_id]
        category = classify(check_id, title)
        if category.startswith("unmapped:"):
            reason = UNMAPPED_REASON[category.split(":", 1)[1]]
            unmapped.append(f"  {check_id}: {_quote(reason + ' (' + title + ')')}")
            continue
        severity, hipaa, soc2, why = CATEGORIES[category]
        mapped.append(
            f"  {check_id}:  # {title}\n"
            f"    severity: {severity}\n"
            f"    hipaa: [{', '.join(_quote(c) for c in hipaa)}]\n"
            f"    soc2: [{', '.join(soc2)}]\n"
            f"    rationale: {_quote(category + ': ' + why)}"
        )
    others = sorted({i.rsplit("_", 1)[0] for i in titles if not IN_SCOPE.match(i)})
    print("# Generated by scripts/checkov_mapping.py from `checkov --list`, then reviewed.")
    print("# Category rules: docs/engines.md. Edit REVIEWED in the script, not this file.")
    print(f"checkov_version: {_quote(version)}")
    print("mapped:")
    print("\n".join(mapped))
    print("unmapped:")
    print("\n".join(unmapped))
    print("# Prefixes of clouds and tools comply does not model (its sources are AWS, Terraform")
    print("# for AWS, and Kubernetes): their ids are not reviewed, so not reported.")
    print("unreviewed_prefixes:")
    for prefix in others:
        print(f'  {prefix}: "outside comply\'s sources (AWS, Kubernetes): not reviewed"')


if __name__ == "__main__":
    main(sys.argv[1])
