"""The `comply` command: click commands and option parsing. Thin: parse, call the library, print."""
