"""``python -m myotriage`` runs the command line."""

from myotriage.cli.app import main

main()
