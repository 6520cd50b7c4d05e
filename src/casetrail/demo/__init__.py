"""The demo case: users, a case and a public FollowTheMoney dataset loaded by `casetrail demo`."""
