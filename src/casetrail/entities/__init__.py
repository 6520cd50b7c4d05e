"""Entities and relationships on FollowTheMoney, stored as statements with provenance."""
