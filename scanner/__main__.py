"""`python -m scanner` is the `comply` command."""

from scanner.cli import main

main()
