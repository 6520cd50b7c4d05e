"""Cases: numbering, status workflow, members, notes and tasks."""
