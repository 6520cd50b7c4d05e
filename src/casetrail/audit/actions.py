"""The closed vocabulary of audit actions. A test checks that every action recorded is listed here."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # Authentication and accounts.
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    SESSION_EXPIRED = "auth.session_expired"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_LIST = "user.list"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    UNIT_CREATE = "unit.create"
    ACCESS_DENIED = "access.denied"

    # Cases and their parts.
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_UPDATE = "case.update"
    CASE_STATUS = "case.status_change"
    MEMBER_ADD = "case.member_add"
    MEMBER_REMOVE = "case.member_remove"
    NOTE_CREATE = "note.create"
    NOTE_READ = "note.read"
    NOTE_UPDATE = "note.update"
    TASK_CREATE = "task.create"
    TASK_READ = "task.read"
    TASK_UPDATE = "task.update"

    # Entities and statements.
    ENTITY_CREATE = "entity.create"
    ENTITY_READ = "entity.read"
    ENTITY_LIST = "entity.list"
    STATEMENT_ADD = "statement.add"
    STATEMENT_RETRACT = "statement.retract"
    ENTITY_MERGE = "entity.merge"
    ENTITY_MERGE_UNDO = "entity.merge_undo"
    IMPORT_FTM = "import.ftm"

    # Oversight.
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"

    # Evidence, custody and digital evidence files.
    EVIDENCE_CREATE = "evidence.create"
    EVIDENCE_READ = "evidence.read"
    EVIDENCE_LIST = "evidence.list"
    EVIDENCE_UPDATE = "evidence.update"
    EVIDENCE_LINK = "evidence.link_entity"
    EVIDENCE_UNLINK = "evidence.unlink_entity"
    CUSTODY_RECORD = "custody.record"
    CUSTODY_VERIFY = "custody.verify"
    EVIDENCE_FILE_ADD = "evidence.file_add"
    EVIDENCE_DOWNLOAD = "evidence.download"
    EVIDENCE_VERIFY = "evidence.verify"
    EVIDENCE_REPORT = "evidence.report"
    EVIDENCE_LABEL = "evidence.label"
    EVIDENCE_EXPORT = "evidence.export"

    # Cross-referencing, watch-lists and deconfliction.
    WATCHLIST_LOAD = "watchlist.load"
    WATCHLIST_READ = "watchlist.read"
    XREF_CANDIDATE_LIST = "xref.candidate_list"
    XREF_DECISION = "xref.decision"
    XREF_DECISION_RETRACT = "xref.decision_retract"
    XREF_BATCH = "xref.batch"
    NOTICE_CREATE = "xref.notice_create"
    NOTICE_READ = "xref.notice_read"
    NOTICE_ACKNOWLEDGE = "xref.notice_acknowledge"
    NOTICE_CLOSE = "xref.notice_close"
    BOARD_READ = "xref.board_read"

    # Link analysis: graph queries, exports and saved link charts.
    GRAPH_QUERY = "graph.query"
    GRAPH_EXPORT = "graph.export"
    CHART_CREATE = "graph.chart_create"
    CHART_READ = "graph.chart_read"
    CHART_UPDATE = "graph.chart_update"
    CHART_DELETE = "graph.chart_delete"

    # Leads and tips: intake, triage, and turning a lead into case content.
    TIP_SUBMIT = "lead.tip_submit"
    TIP_ADDITION = "lead.tip_addition"
    TIP_RECEIPT_FAILED = "lead.receipt_failed"
    LEAD_CREATE = "lead.create"
    LEAD_READ = "lead.read"
    LEAD_LIST = "lead.list"
    LEAD_UPDATE = "lead.update"
    LEAD_ASSIGN = "lead.assign"
    LEAD_STATUS = "lead.status_change"
    LEAD_LINK_CASE = "lead.link_case"
    LEAD_ATTACHMENT_READ = "lead.attachment_read"

    # Full-text search: queries (with the stated purpose when across cases) and index rebuilds.
    SEARCH_QUERY = "search.query"
    SEARCH_REINDEX = "search.reindex"

    # Documents: uploads, reads, downloads of originals, retries, labels and mention decisions.
    DOCUMENT_UPLOAD = "document.upload"
    DOCUMENT_READ = "document.read"
    DOCUMENT_LIST = "document.list"
    DOCUMENT_DOWNLOAD = "document.download"
    DOCUMENT_RETRY = "document.retry"
    DOCUMENT_LABEL = "document.label"
    MENTION_ACCEPT = "document.mention_accept"
    MENTION_DISMISS = "document.mention_dismiss"

    # Lakehouse: analyst SQL, purges (the certificate), rebuilds and maintenance.
    LAKEHOUSE_QUERY = "lakehouse.query"
    LAKEHOUSE_PURGE = "lakehouse.purge"
    LAKEHOUSE_REBUILD = "lakehouse.rebuild"
    LAKEHOUSE_MAINTAIN = "lakehouse.maintain"

    # Notifications: following a case (its new facts reach the follower).
    CASE_FOLLOW = "case.follow"
    CASE_UNFOLLOW = "case.unfollow"

    # Legal documents: templates, documents, review steps, issued PDFs and redacted copies.
    LEGAL_TEMPLATE_READ = "legal.template_read"
    LEGAL_TEMPLATE_UPDATE = "legal.template_update"
    LEGAL_CREATE = "legal.create"
    LEGAL_READ = "legal.read"
    LEGAL_LIST = "legal.list"
    LEGAL_EDIT = "legal.edit"
    LEGAL_SUBMIT = "legal.submit"
    LEGAL_RETURN = "legal.return"
    LEGAL_APPROVE = "legal.approve"
    LEGAL_FILE = "legal.file"
    LEGAL_REDACT = "legal.redact"
    LEGAL_DOWNLOAD = "legal.download"
    LEGAL_VERIFY = "legal.verify"
