"""`python -m scanner` is the `comply` command."""

from scanner.cli.main import main

main()
