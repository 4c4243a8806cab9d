"""Everything that changes an incident's record, by stage of the case.

Views, commands, tasks and the other apps call these functions (never the models directly), and
they refuse in the guidance's words. Each stage has its module; this package names the whole.
"""

from .assessment import Assessment, CriterionView, assess, facts_snapshot, get_review, person_facts
from .closing import close_incident, closing_blockers, referral_required, reopen_incident
from .common import (
    lock,
    refuse_if_stale,
    require_editable,
    require_open,
    require_perm,
    require_reason,
    start_review,
)
from .decision import (
    awaiting_sign_off,
    current_decision,
    decide_manage_in_school,
    decide_refer,
    facts_changed,
    sign_off,
    signatory_capacity,
)
from .intake import (
    Person,
    TooManyReports,
    check_person,
    next_reference,
    report_concern,
    suspend_reporter,
)
from .managing import (
    add_action,
    complete_action,
    record_conversation,
    record_parent_contact,
    record_risk_assessment,
)
from .notifications import deliver, enqueue_notifications, send_pending_notifications
from .review import (
    add_person,
    close_out_of_scope,
    correct_person,
    record_criteria,
    record_facts,
    record_meeting,
)

__all__ = [
    "Assessment",
    "CriterionView",
    "Person",
    "TooManyReports",
    "add_action",
    "add_person",
    "assess",
    "awaiting_sign_off",
    "check_person",
    "close_incident",
    "close_out_of_scope",
    "closing_blockers",
    "complete_action",
    "correct_person",
    "current_decision",
    "decide_manage_in_school",
    "decide_refer",
    "deliver",
    "enqueue_notifications",
    "facts_changed",
    "facts_snapshot",
    "get_review",
    "lock",
    "next_reference",
    "person_facts",
    "record_conversation",
    "record_criteria",
    "record_facts",
    "record_meeting",
    "record_parent_contact",
    "record_risk_assessment",
    "referral_required",
    "refuse_if_stale",
    "reopen_incident",
    "report_concern",
    "require_editable",
    "require_open",
    "require_perm",
    "require_reason",
    "send_pending_notifications",
    "sign_off",
    "signatory_capacity",
    "start_review",
    "suspend_reporter",
]
