"""The notebooks here are hostile submissions for the grader's tests, not notebooks to run:
`make test` runs nbval over tests/, so keep pytest from collecting them."""

collect_ignore_glob = ["*.ipynb"]
