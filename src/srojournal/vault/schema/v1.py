"""Schema version 1: the journal, the taxonomy, follow-ups, conflict cases, audit log, releases."""

from __future__ import annotations

from typing import Any

from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES

DDL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE schools (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE contact_types (
    code           TEXT PRIMARY KEY,
    label          TEXT NOT NULL,
    category       TEXT NOT NULL CHECK (category IN
                       ('relationship','mentoring','conflict','education','safety')),
    triad_role     TEXT NOT NULL,
    builtin        INTEGER NOT NULL DEFAULT 0,
    retired        INTEGER NOT NULL DEFAULT 0,
    group_activity INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE students (
    id        INTEGER PRIMARY KEY,
    alias     TEXT NOT NULL,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    grade     TEXT,
    notes     TEXT NOT NULL DEFAULT '',
    archived  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (school_id, alias COLLATE NOCASE)
);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    occurred_at  TEXT NOT NULL,             -- YYYY-MM-DDTHH:MM, local time
    duration_min INTEGER,
    school_id    INTEGER NOT NULL REFERENCES schools(id),
    type_code    TEXT NOT NULL REFERENCES contact_types(code),
    initiated_by TEXT,
    outcome      TEXT,
    attendees    INTEGER,
    notes        TEXT NOT NULL DEFAULT '',
    redacted     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX contacts_by_time ON contacts (occurred_at DESC, id DESC);
CREATE INDEX contacts_by_school ON contacts (school_id, occurred_at DESC);
CREATE INDEX contacts_by_type ON contacts (type_code, occurred_at DESC);

CREATE TABLE contact_students (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    student_id INTEGER NOT NULL REFERENCES students(id),
    role       TEXT NOT NULL DEFAULT 'participant',
    grade      TEXT,                          -- the student's grade when the contact happened
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contact_id, student_id)
) WITHOUT ROWID;
CREATE INDEX contact_students_by_student ON contact_students (student_id, contact_id);

CREATE TABLE contact_referrals (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    PRIMARY KEY (contact_id, target)
) WITHOUT ROWID;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_by_tag ON contact_tags (tag_id, contact_id);

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    notes, content='contacts', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO notes_fts (rowid, notes) VALUES (new.id, new.notes);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, notes) VALUES ('delete', old.id, old.notes);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF notes ON contacts BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, notes) VALUES ('delete', old.id, old.notes);
    INSERT INTO notes_fts (rowid, notes) VALUES (new.id, new.notes);
END;

CREATE TABLE follow_ups (
    id                INTEGER PRIMARY KEY,
    due_date          TEXT NOT NULL,          -- YYYY-MM-DD
    what              TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    completed_on      TEXT,
    source_contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    done_contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL
);
CREATE INDEX follow_ups_by_due ON follow_ups (status, due_date);
CREATE INDEX follow_ups_by_month ON follow_ups (due_date);
CREATE TABLE follow_up_students (
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups(id) ON DELETE CASCADE,
    student_id   INTEGER NOT NULL REFERENCES students(id),
    PRIMARY KEY (follow_up_id, student_id)
) WITHOUT ROWID;
CREATE INDEX follow_up_students_by_student ON follow_up_students (student_id);

CREATE TABLE conflict_cases (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL DEFAULT '',
    terms      TEXT NOT NULL DEFAULT '',
    opened_on  TEXT NOT NULL,
    check_date TEXT,
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','held','broken','closed'))
);
CREATE TABLE conflict_parties (
    case_id    INTEGER NOT NULL REFERENCES conflict_cases(id) ON DELETE CASCADE,
    student_id INTEGER NOT NULL REFERENCES students(id),
    PRIMARY KEY (case_id, student_id)
) WITHOUT ROWID;
CREATE TABLE conflict_contacts (
    case_id    INTEGER NOT NULL REFERENCES conflict_cases(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE templates (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    type_code    TEXT NOT NULL REFERENCES contact_types(code),
    duration_min INTEGER,
    initiated_by TEXT,
    outcome      TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE drafts (
    name       TEXT PRIMARY KEY,
    payload    TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TABLE releases (
    period     TEXT NOT NULL,
    number     INTEGER NOT NULL,
    content    BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (period, number)
) WITHOUT ROWID;
"""


def migrate(conn: Any) -> None:
    conn.executescript(DDL)
    conn.executemany(
        "INSERT INTO contact_types (code, label, category, triad_role, builtin, group_activity)"
        " VALUES (?, ?, ?, ?, 1, ?)",
        [
            (t.code, t.label, t.category, t.triad_role, int(t.group_activity))
            for t in BUILTIN_CONTACT_TYPES
        ],
    )
