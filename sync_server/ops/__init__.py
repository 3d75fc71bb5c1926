"""Running a server over its life: backups and restore, and the demo data."""
