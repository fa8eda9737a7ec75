"""``python -m lagebild`` runs the command line."""

from lagebild.cli import main

if __name__ == "__main__":
    main()
