"""Import and export of case data in exchange formats (FollowTheMoney, later STIX, NIEM)."""
