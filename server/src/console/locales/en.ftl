product = Homeward headquarters
skip-to-content = Skip to content
nav-label = Main menu
nav-home = Home
nav-queue = Review queue
nav-devices = Devices
nav-checklists = Checklists
nav-reference = Reference data
nav-staff = Staff
nav-statistics = Statistics
nav-audit = Audit trail
nav-help = Help
sign-in = Sign in
sign-out = Sign out
sign-out-everywhere = Sign out on every device
language = Language
language-apply = Change
demo-banner = Demo mode: fictional people and data, sign-ins printed in the terminal. Never use demo mode for real work.
footer-marking = Contains personal data protected by law (Law on Preventing and Combating Trafficking in Persons, art. 25). Every view is recorded.
footer-product = Homeward · headquarters console
back-home = Back to the home page
next-case = Next case →
days-less-than-one = less than a day
back-to-queue = ← Back to the review queue
actions = Actions
role = Role
role-reviewer = Reviewer
role-administrator = Administrator
role-analyst = Analyst
role-auditor = Auditor
username = Username
password = Password
never = never
days = { $count ->
    [one] { $n } day
   *[other] { $n } days
}
cases-count = { $count ->
    [one] { $n } case
   *[other] { $n } cases
}
duration-hours = { $count ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $count ->
    [one] { $n } day
   *[other] { $n } days
}

problem-title = Something needs your attention
forbidden-title = Not for your role
forbidden-detail = This page belongs to another role. Nothing was shown or changed. If you need it, ask an administrator.
not-found-title = Not found
not-found-detail = There is no such page or record.
bad-form-title = The form could not be used
csrf-title = Request refused
csrf-detail = This request did not come from a page of this console (or the page was too old). Nothing was changed. Open the page again and repeat the action.
too-many-title = Too many attempts
too-many-detail = { $count ->
    [one] Too many attempts from this address. Try again in { $n } second.
   *[other] Too many attempts from this address. Try again in { $n } seconds.
}
refused-title = Not done
busy-title = Headquarters is busy
busy-detail = The database did not answer in time. Nothing was lost; try again in a moment.
form-field-missing = A required field is empty. Go back, fill it in and send the form again.
form-malformed = The form was malformed. Go back and send it again.
text-too-long = The text is longer than 1,000 characters.
upload-missing = Choose a file to upload.
upload-not-text = The file is not text (UTF-8 JSON is expected).
upload-too-large = The file is larger than 512 KiB, the most a checklist or reference file may be.
validity-invalid = Validity is a number of days from 1 to 365.
storage-busy = The database did not answer in time; try again.
username-invalid = A username is 2 to 32 characters: letters a-z, digits, dot, dash or underscore.
name-invalid = The name is 1 to 80 characters.
username-taken = That username is already taken.
account-unknown = No such account.
office-invalid = The office code must be 1 to 12 letters, digits or dashes.

sign-in-title = Sign in
sign-in-intro = For ministry staff only. You need your password and the six-digit code from your authenticator app.
sign-in-continue = Continue
sign-in-wrong = Wrong username or password.
sign-in-wait = { $count ->
    [one] Too many failed attempts for this account. Wait { $n } second and try again.
   *[other] Too many failed attempts for this account. Wait { $n } seconds and try again.
}
session-expired = Your session ended after a period without activity. Sign in again.
signed-out = You are signed out.
setup-done = Your password is set. Sign in.
setup-link = First time here? Set up your account with the code an administrator gave you.
second-factor-title = Second factor
second-factor-intro = { $name }, enter the six-digit code your authenticator app shows for Homeward.
second-factor-enrol-intro = Your account needs a second factor. Scan this QR code with an authenticator app (FreeOTP, Aegis, Google Authenticator…), then enter the code it shows.
second-factor-enrol-manual = Or type this key into the app:
second-factor-code = Six-digit code
second-factor-wrong = That code is wrong or was already used. Wait for the next code and try again.
second-factor-cancel = Cancel and sign out
demo-code-hint = Demo mode: the current code for this account is { $code }.
setup-title = Set up your account
setup-intro = Enter your username, the one-time setup code from your administrator, and choose a password.
setup-code = Setup code
setup-continue = Set password
setup-wrong = The username or setup code is wrong, or the code has expired. Ask an administrator for a new one.
new-password = New password
repeat-password = Repeat the new password
current-password = Current password
password-rule = 8 to 128 characters; a phrase of several words is best. Common passwords are refused.
password-too-short = The password must have at least 8 characters.
password-too-long = The password must have at most 128 characters.
password-common = This password is on the list of commonly used passwords. Choose another.
password-mismatch = The two passwords differ.
password-wrong = The password is wrong. Nothing was changed.

home-greeting = Good day, { $name }
home-intro-reviewer = Certificate of Return requests wait for your identity checks and decisions, oldest first.
home-intro-administrator = Devices, enrolment, checklists, reference data and staff accounts.
home-intro-analyst = Counts for monitoring. Small numbers are hidden so that no person can be recognised.
home-intro-auditor = Who saw or changed what, on every device and at headquarters. Read-only.
home-waiting = { $count ->
    [one] request waits for review
   *[other] requests wait for review
}
home-waiting-victims = { $count ->
    [one] { $n } of them is a presumed trafficking victim
   *[other] { $n } of them are presumed trafficking victims
}
home-asked = waiting for the consulate's answer
home-conflicts = { $count ->
    [one] case in conflict
   *[other] cases in conflict
}
home-devices = { $count ->
    [one] active device
   *[other] active devices
}
home-overdue = { $count ->
    [one] { $n } has not checked in for 14 days
   *[other] { $n } have not checked in for 14 days
}
home-checklist = screening checklist in force
home-staff = { $count ->
    [one] staff account
   *[other] staff accounts
}
home-screenings = screenings received
home-presumed = presumed victims identified
home-audit-entries = { $count ->
    [one] audit entry
   *[other] audit entries
}
home-tampered = { $count ->
    [one] chain with a refused (tampered) batch
   *[other] chains with a refused (tampered) batch
}

queue-title = Review queue
queue-filters = Filter the queue
queue-caption = Certificate requests, oldest first
queue-total = { $count ->
    [one] { $n } request matches
   *[other] { $n } requests match
}
queue-empty = No request matches these filters.
queue-keys-hint = Keys: j and k move between rows, o opens, / jumps to the filters, ? lists every shortcut.
filter-state = State
filter-office = Consulate
filter-any-office = Any consulate
filter-age = Waiting
filter-any-age = Any time
filter-days-or-more = { $count ->
    [one] { $n } day or more
   *[other] { $n } days or more
}
filter-victim = Trafficking victim
filter-victim-any = Either
filter-victim-yes = Presumed victim
filter-victim-no = Not flagged
filter-apply = Apply
find-title = Find a person's cases
find-document = Document number
find-surname = Surname
find-given = Given name
find-dob = Date of birth
find-apply = Find
find-hint = A document number alone, or surname, given name and date of birth together. Names and numbers are sealed at headquarters: only an exact match (spaces, dashes and case aside) is found. The lookup is recorded in the audit trail.
find-total = { $count ->
    [one] { $n } case found for this person
   *[other] { $n } cases found for this person
}
filter-state-waiting = Waiting for headquarters
filter-state-submitted = Submitted
filter-state-identity-verified = Identity verified
filter-state-more-information-requested = More information asked
filter-state-approved = Approved
filter-state-issued = Issued
filter-state-entered = Entered the country
filter-state-rejected = Rejected
filter-state-conflict = In conflict
filter-state-all = All states
col-case = Case
col-office = Office
col-state = State
col-flags = Flags
col-waiting-since = Waiting since
col-waiting = Waiting
col-when = When
col-event = Event
col-who = Who
col-role = Role
col-device = Device
col-last-contact = Last contact
col-alerts = Alerts
col-path = Where
col-problem = Problem
col-change = Change
col-detail = Detail
col-total = Total
col-crossing = Crossing point
col-consulate = Consulate
col-month = Month
col-exploitation = Kind of exploitation
col-age-band = Age
flag-victim = Presumed victim
flag-conflict = Conflict
pager = Pages
pager-first = ← First page
pager-next = Next page →
pager-newest = ← Newest
pager-older = Older →

state-draft = Draft
state-submitted = Submitted
state-more-information-requested = More information asked
state-identity-verified = Identity verified
state-approved = Approved
state-rejected = Rejected
state-issued = Issued
state-entered = Entered the country
state-expired = Expired
state-cancelled = Cancelled
state-revoked = Revoked
state-none = No state (in conflict or refused)
event-created = Request taken
event-updated = Request updated
event-submitted = Submitted to headquarters
event-identity-verified = Identity verified
event-more-information-requested = More information asked
event-approved = Approved
event-rejected = Rejected
event-issued = Certificate issued
event-entered = Entered the country
event-expired = Expired
event-cancelled = Cancelled
event-revoked = Revoked
event-conflict-resolved = Conflict resolved

case-title = Case
case-summary = The request
case-office = Consulate
case-request-date = Taken on
case-travel-date = Travel date
case-route = Route
case-loss = Passport
case-evidence = Evidence of citizenship
case-children = Accompanying children
case-fee = Fee
case-certificate = Certificate number
case-valid-until = Valid until
case-entered = Entered at
case-last-note = Last note:
case-assessment = Officer's assessment
case-victim-note = Note on the trafficking flag
fee-waived-victim = Waived: trafficking victim (Decree No. 839)
fee-standard = Standard fee
loss-lost = Lost
loss-stolen = Stolen
loss-held-by-employer = Held by an employer
loss-held-by-trafficker = Held by a trafficker
evidence-old-passport = Old passport
evidence-national-id = National identity card
evidence-birth-certificate = Birth certificate
evidence-witnesses = Relatives or witnesses
evidence-verification-requested = To be verified by the interior ministry
full-record-title = Identity (full record)
full-record-intro = Names, date of birth and document numbers are shown only with a reason, which is recorded in headquarters' audit trail with your name.
full-record-open = Show the full record
full-record-marking = CONFIDENTIAL: do not copy or pass on.
justification = Reason
justification-identity = Identity check for this request
justification-supervisor = Supervisor's review
justification-legal = Request from investigators, a prosecutor or a court
justification-other = Another reason (write it below)
justification-detail = Details (no names)
justification-hint = Do not write a person's name here: the reason is kept in the audit trail.
justification-required = A reason is required to open the full record.
person-surname = Surname
person-given-name = Given name
person-patronymic = Patronymic
person-date-of-birth = Date of birth
person-place-of-birth = Place of birth
person-sex = Sex
person-guardian = Parent or guardian
sex-f = Female
sex-m = Male
sex-x = Not stated
photo-sealed = The photo stays sealed on the consulate's device; its fingerprint here begins { $code }.
photo-none = No photo was taken.
screening-title = The screening it came from
screening-date = Date
screening-crossing = Crossing point
screening-verdict = Outcome
screening-child-rule = child: act and purpose suffice
screening-exploitation = Exploitation
screening-no-answers = Headquarters receives indicators and the outcome only, never the answers or the person's identity.
element-act = Act
element-means = Means
element-purpose = Purpose
element-control = Signs of control
element-child = Signs concerning a child
verdict-no-indicators = No indicators
verdict-further-interview = Further interview
verdict-presumed-victim = Presumed victim
exploitation-sexual-exploitation = Sexual exploitation
exploitation-forced-labour = Forced labour
exploitation-slavery = Slavery or similar practices
exploitation-servitude = Servitude
exploitation-organ-removal = Removal of organs
exploitation-criminal-activity = Involvement in crime
exploitation-commercial-adoption = Adoption for profit
exploitation-armed-conflict = Use in armed conflict
history-title = History
history-by-operator = { $user } (headquarters' key, { $device })
history-refused = Events not applied
conflict-title = Conflict
conflict-intro = Two devices recorded different next steps for this case. No decision can be taken until headquarters resolves it.
conflict-branch = { $what } by { $device } (certificate { $number })
decide-title = Decision
decide-none = No decision is possible in this state.
decide-keys-hint = Keys focus a decision: v, m, a, r. Enter sends it. n opens the next case.
decide-verify-identity = Identity verified
decide-verify-identity-field = Note
decide-verify-identity-default = Identity confirmed
decide-more-info = Ask for more information
decide-more-info-field = Question to the consulate
decide-approve = Approve
decide-approve-field = Valid for (days)
decide-reject = Reject
decide-reject-field = Reason
decide-revoke = Revoke the certificate
decide-revoke-field = Reason
decide-resolve-conflict = Keep this branch
decide-resolve-conflict-field = Reason for keeping it
decision-moved-on = This case changed while you were looking: { $user } recorded "{ $what }" at { $when }. Nothing was applied. Check the case again.
decision-refused = Headquarters' rules refused this decision: { $reason }
done-decided-verify-identity = Identity verified. Here is the next case.
done-decided-more-info = Question sent. Here is the next case.
done-decided-approve = Approved. Here is the next case.
done-decided-reject = Rejected. Here is the next case.
done-decided-revoke = Certificate revoked. Here is the next case.
done-decided-resolve-conflict = Conflict resolved. Here is the next case.
done-session-ended = The session has ended.
done-password-changed = Your password has changed; your other sessions have ended.
done-device-revoked = The device is revoked.
done-device-wiped = The device is revoked and will be wiped at its next contact.
done-checklist-published = The checklist is published; devices install it at their next sync.
done-reference-published = Reference data published.
done-staff-changed = The account has changed.

devices-title = Devices
devices-list = Enrolled devices
devices-show-alerts = Show only devices with alerts
devices-show-all = Show every device
device-role-consular-officer = Consular officer
device-role-border-guard = Border guard
device-role-headquarters = Headquarters console
device-actions = Actions
alert-restored = Restored from an old copy
alert-wipe-confirmed = Wipe confirmed
alert-wipe-ordered = Wipe ordered
alert-overdue = Check-in overdue
alert-revoked = Revoked
enrol-title = Enrol a device
enrol-issue = Issue an enrolment code
enrol-code-title = Enrolment code
enrol-code-expires = Valid until
enrol-code-hint = Give the officer this code (or let the phone scan the QR code). It works once, for 15 minutes.
enrol-pin = Headquarters' TLS authority (SHA-256)
unlock-issue = Unlock code
unlock-title = Unlock code
unlock-for = For device
unlock-hint = Read this code to the officer by phone. It works once and lifts the check-in lock for 3 days.
revoke = Revoke
revoke-wipe = Also wipe the device at its next contact
revoke-password = Your password

checklists-title = Checklists
reference-title = Reference data
publish-in-force = In force
publish-draft = Uploaded:
publish-valid = The file is valid.
publish-problems = { $count ->
    [one] { $n } problem must be fixed before publishing:
   *[other] { $n } problems must be fixed before publishing:
}
publish-changes = What changes
publish-no-changes = Nothing changes.
publish-now = Publish to every device
publish-upload = Upload a new version
publish-file = File (JSON)
publish-file-checklist = File (JSON, or XLSForm .xlsx)
publish-check = Check
publish-has-problems = The file has problems; nothing was published.
problem-file = the file
checklist-id = Checklist
checklist-version = Version
checklist-title-field = Title
checklist-questions = Questions
checklist-published = Published
checklist-built-in = the built-in default
checklist-not-newer = The version must be newer than the one in force ({ $version }).
checklist-upload-intro = A checklist template in JSON, or an XLSForm workbook (.xlsx; docs/SCREENING.md, "Authoring in XLSForm"). It is checked with the same rules the devices apply.
change-added = Question { $code } added
change-removed = Question { $code } removed
change-reworded = { $code } reworded ({ $lang })
change-answer = { $code }: answer or requirement changed
change-crossing-added = Crossing point { $code } added
change-crossing-removed = Crossing point { $code } removed
change-consulate-added = Consulate { $code } added
change-consulate-removed = Consulate { $code } removed
reference-fee = Standard fee
reference-validity = Default validity
reference-sequence = Version
reference-none = not published yet
reference-crossings = Crossing points
reference-consulates = Consulates
reference-sample-note = The places shown are the built-in samples until reference data is uploaded.
reference-upload-intro = A JSON file with the fee, the validity and the crossing points and consulates with their names in Kyrgyz, Russian and English.

staff-title = Staff accounts
staff-add = Add an account
staff-add-button = Add
staff-name = Full name
staff-active = Active
staff-disabled = Disabled
staff-awaiting-setup = Waiting for set-up
staff-awaiting-second-factor = Waiting for the second factor
staff-disable = Disable
staff-enable = Enable
staff-reset = New setup code
staff-you = you
staff-not-yourself = You cannot change your own account here.
staff-setup-code = Setup code
staff-setup-for = For
staff-setup-hint = Hand this code to its owner in person. It works once, for 72 hours, at the set-up page.

audit-title = Audit trail
audit-intro = Headquarters' own chain and every device's chain. Your searches and exports are recorded too.
audit-filters = Filter the audit trail
audit-source = Chains
audit-source-all = All
audit-source-hq = Headquarters
audit-source-devices = Devices
audit-actor = Who
audit-action = Action
audit-any = Any
audit-record = Record id
audit-device = Device
audit-from = From
audit-to = To
audit-export = Export CSV
audit-none = No entry matches.
audit-chain = Chain
audit-why = Reason
action-view = Full record opened
action-search = List or summary seen
action-create = Created
action-change = Changed
action-export = Exported
action-referral = Referral
action-consent = Consent
action-purge = Purged
action-unlock = Unlocked
action-unlock_refused = Wrong unlock code
action-setting = Setting changed
action-restore = Restored from an older copy (chain branched)
action-acknowledge = Notice acknowledged
subject-screening = screening
subject-certificate-case = certificate cases
subject-referral = referral
subject-statistics = statistics
subject-device = device
verify-title = Verify a chain
verify-button = Verify
verify-intact = The chain of { $device } is intact: { $n } entries, every signature and link checked.
verify-broken = The chain of { $device } breaks: { $reason }
verify-refused-batch = Headquarters once refused a batch from it: { $reason }
signins-title = Recent sign-ins
signins-outcome = Outcome
signin-backoff = refused: waiting time
signin-disabled = refused: account disabled
signin-wrong-password = wrong password
signin-unknown-user = unknown username
signin-password-ok = password accepted
signin-wrong-code = wrong code
signin-signed-in = signed in
signin-setup-password-set = password set up
signin-wrong-setup-code = wrong setup code
signin-signed-out = signed out
signin-signed-out-everywhere = signed out everywhere
signin-password-changed = password changed

stats-title = Statistics
marking-fouo = FOR OFFICIAL USE ONLY
stats-k-note = { $count ->
    [one] Counts under { $n } are hidden (•), with as few others as needed so that none can be worked out from the totals.
   *[other] Counts under { $n } are hidden (•), with as few others as needed so that none can be worked out from the totals.
}
stats-filters = Filter the statistics
stats-from = From month
stats-to = To month
stats-all-crossings = Every crossing point
stats-export = Export CSV
stats-no-data = No data yet.
stats-hidden-note = • hidden: a small count, or a count that would reveal one.
suppressed-cell = { $count ->
    [one] hidden (under { $n })
   *[other] hidden (under { $n })
}
stats-by-crossing = Screenings by crossing point and outcome
stats-by-month = Screenings by month and outcome
stats-by-exploitation = Presumed victims by kind of exploitation
stats-victims-sex-age = Certificate applicants flagged as trafficking victims, by sex and age
stats-certificates-state = Certificate requests by consulate and state
stats-fee-waiver = Issued certificates by consulate and fee
stats-timing = Time from request to issue
stats-adult = Adult
stats-child = Child
stats-group-waiting = In progress
stats-group-approved = Approved
stats-group-issued = Issued
stats-group-entered = Entered
stats-group-closed = Closed
stats-fee-waived = Fee waived
stats-fee-standard = Fee paid
stats-issued-count = Issued
stats-median = Median
stats-p90 = 90th percentile
stats-all-consulates = All consulates

account-title = Your account
account-sessions = Where you are signed in
account-sessions-intro = Each browser where you are signed in. End any you do not recognise, and tell an administrator.
session-started = Signed in
session-last = Last active
session-address = Address
session-browser = Browser
session-this = this browser
session-end = End
account-password = Change your password
account-password-change = Change password

help-title = Help
help-intro = The console works with a mouse, with the keyboard alone, and without JavaScript.
help-shortcuts = Keyboard shortcuts
help-shortcuts-intro = Single keys work when you are not typing in a field. Press Escape to leave a field.
help-key = Key
help-does = What it does
key-next-row = Next row of a list
key-previous-row = Previous row of a list
key-open = Open the selected row
key-filter = Go to the filters
key-verify = Go to "Identity verified"
key-more-info = Go to "Ask for more information"
key-approve = Go to "Approve"
key-reject = Go to "Reject"
key-next-case = Open the next case in the queue
key-help = This page
help-privacy = Personal data
help-privacy-text = Lists show case numbers, offices and dates only. A person's name, date of birth and documents open only with a reason, and every opening is recorded with your name. Statistics hide small counts.
review-title = Review of the texts
review-in = Reviewed ({ $lang })
review-count = { $reviewed } of { $total } texts
col-language = Language
col-reviewed = Reviewed
col-unreviewed = Not reviewed
review-override = { $count ->
    [one] { $n } text is not reviewed. To publish anyway, give the reason (kept in the audit trail):
   *[other] { $n } texts are not reviewed. To publish anyway, give the reason (kept in the audit trail):
}
review-refused = { $count ->
    [one] { $n } text is not reviewed: give the reason for publishing it anyway.
   *[other] { $n } texts are not reviewed: give the reason for publishing them anyway.
}
