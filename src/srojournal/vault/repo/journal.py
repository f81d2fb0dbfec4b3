"""The journal: every query the window, the command line and the reports use.

``Journal`` is only the sum of the record modules beside it, one per kind of record; it adds no
behaviour. Each public write is one transaction (or joins the caller's, on the same thread, e.g.
during an import). No SQL lives outside ``vault/``.

| method                                                             | module          |
|--------------------------------------------------------------------|-----------------|
| conn, batch, deferred_notes_index, invalidate_caches               | core.py         |
| get_setting, set_setting, save_draft, load_draft, delete_draft     | settings.py     |
| schools, school_names, add/rename_school, set_school_active,       | schools.py      |
| school_id_by_name, contact_types, contact_type, add_contact_type,  |                 |
| set_type_retired                                                   |                 |
| add/update_student, set_student_archived, student,                 | students.py     |
| student_by_alias, students, student_names, student_contact_count   |                 |
| add/update/delete/restore_contact, contact, count_contacts,        | contacts.py     |
| list_contacts, timeline, tags, last_used, notes_contain_phrase     |                 |
| add_follow_up, follow_up, follow_ups, follow_ups_buckets,          | follow_ups.py   |
| overdue_count, complete/reschedule/cancel_follow_up                |                 |
| add/update_conflict_case, set_conflict_parties,                    | cases.py        |
| clear_case_check_date, (un)link_contact_(from/to)_case,            |                 |
| conflict_case, conflict_cases                                      |                 |
| add_template, templates, delete_template                           | templates.py    |
| audit, last_backup_at, audit_entries, verify_audit_chain           | audit.py        |
| releases, released_periods, add_release                            | releases.py     |
| month_facts                                                        | facts.py        |
| purge_notes_before, compact, counts, verify                        | maintenance.py  |
"""

from __future__ import annotations

from srojournal.vault.repo.cases import Cases
from srojournal.vault.repo.facts import Facts
from srojournal.vault.repo.follow_ups import FollowUps
from srojournal.vault.repo.maintenance import Maintenance
from srojournal.vault.repo.releases import Releases
from srojournal.vault.repo.settings import SettingsAndDrafts
from srojournal.vault.repo.students import Students
from srojournal.vault.repo.templates import Templates


class Journal(
    SettingsAndDrafts, Students, FollowUps, Cases, Templates, Releases, Facts, Maintenance
):
    """The whole journal of one open vault (``vault.journal``)."""
