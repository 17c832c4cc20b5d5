"""Lambda-managed runtimes and the date AWS deprecates each one.

Source: the AWS Lambda developer guide, "Lambda runtimes" (supported and deprecated runtime
tables, "Deprecation date" column), https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html,
as read in early 2026. On the deprecation date AWS stops security patches for the runtime;
creating and then updating functions on it are blocked some months later. AWS sometimes moves a
date later: a function failing on a date listed here names the date, so it can be checked against
the page. A runtime missing from this table is reported unknown, never supported.
"""

from __future__ import annotations

from datetime import date

RUNTIME_DEPRECATION: dict[str, date] = {
    # Supported on the page's date, with the announced deprecation date.
    "nodejs24.x": date(2028, 4, 30),
    "nodejs22.x": date(2027, 4, 30),
    "nodejs20.x": date(2026, 4, 30),
    "python3.14": date(2029, 6, 30),
    "python3.13": date(2029, 6, 30),
    "python3.12": date(2028, 10, 31),
    "python3.11": date(2026, 6, 30),
    "python3.10": date(2026, 6, 30),
    "java25": date(2029, 6, 30),
    "java21": date(2029, 6, 30),
    "java17": date(2026, 6, 30),
    "java11": date(2026, 6, 30),
    "java8.al2": date(2026, 6, 30),
    "dotnet10": date(2028, 11, 14),
    "dotnet8": date(2026, 11, 10),
    "ruby3.4": date(2028, 3, 31),
    "ruby3.3": date(2027, 3, 31),
    "ruby3.2": date(2026, 3, 31),
    "provided.al2023": date(2029, 6, 30),
    "provided.al2": date(2026, 6, 30),
    # Already deprecated on the page's date.
    "python3.9": date(2025, 12, 15),
    "nodejs18.x": date(2025, 9, 1),
    "nodejs16.x": date(2024, 6, 12),
    "python3.8": date(2024, 10, 14),
    "dotnet6": date(2024, 11, 12),
    "dotnet7": date(2024, 5, 14),
    "java8": date(2024, 1, 8),
    "go1.x": date(2024, 1, 8),
    "provided": date(2024, 1, 8),
    "nodejs14.x": date(2023, 12, 4),
    "python3.7": date(2023, 12, 4),
    "ruby2.7": date(2023, 11, 27),
    "dotnetcore3.1": date(2023, 4, 3),
    "nodejs12.x": date(2023, 3, 31),
    "python3.6": date(2022, 7, 18),
    "dotnet5.0": date(2022, 5, 10),
    "dotnetcore2.1": date(2022, 1, 5),
    "nodejs10.x": date(2021, 7, 30),
    "ruby2.5": date(2021, 7, 30),
    "python2.7": date(2021, 7, 15),
    "nodejs8.10": date(2020, 3, 6),
    "nodejs4.3": date(2020, 3, 5),
    "nodejs4.3-edge": date(2020, 3, 5),
    "nodejs6.10": date(2019, 8, 12),
    "dotnetcore1.0": date(2019, 7, 27),
    "dotnetcore2.0": date(2019, 5, 30),
    "nodejs": date(2016, 10, 31),
}
