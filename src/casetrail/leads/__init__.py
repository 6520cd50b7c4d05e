"""Leads and tips: public intake with receipt codes, internal leads, triage and grouping."""
