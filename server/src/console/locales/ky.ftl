product = Homeward — борбордук аппарат
skip-to-content = Мазмунга өтүү
nav-label = Башкы меню
nav-home = Башкы бет
nav-queue = Текшерүү кезеги
nav-devices = Түзмөктөр
nav-checklists = Сурамжылар
nav-reference = Маалымдамалар
nav-staff = Кызматкерлер
nav-statistics = Статистика
nav-audit = Аудит журналы
nav-help = Жардам
sign-in = Кирүү
sign-out = Чыгуу
sign-out-everywhere = Бардык түзмөктөрдөн чыгуу
language = Тил
language-apply = Алмаштыруу
demo-banner = Демо режими: ойдон чыгарылган адамдар жана маалыматтар, кирүү маалыматтары терминалда басылган. Чыныгы иш үчүн колдонбоңуз.
footer-marking = Мыйзам менен корголгон жеке маалыматтар бар («Адам сатууга каршы күрөшүү жана анын алдын алуу жөнүндө» Мыйзам, 25-берене). Ар бир карап чыгуу жазылат.
footer-product = Homeward · борбордук аппараттын консолу
back-home = Башкы бетке
next-case = Кийинки иш →
days-less-than-one = бир күндөн аз
back-to-queue = ← Текшерүү кезегине
actions = Аракеттер
role = Ролу
role-reviewer = Текшерүүчү
role-administrator = Администратор
role-analyst = Аналитик
role-auditor = Аудитор
username = Колдонуучу аты
password = Сырсөз
never = эч качан
days = { $count ->
    [one] { $n } күн
   *[other] { $n } күн
}
cases-count = { $count ->
    [one] { $n } арыз
   *[other] { $n } арыз
}
duration-hours = { $count ->
    [one] { $n } саат
   *[other] { $n } саат
}
duration-days = { $count ->
    [one] { $n } күн
   *[other] { $n } күн
}

problem-title = Көңүл буруңуз
forbidden-title = Сиздин ролуңуз үчүн эмес
forbidden-detail = Бул бет башка ролго таандык. Эч нерсе көрсөтүлгөн жок жана өзгөргөн жок. Керек болсо, администраторго кайрылыңыз.
not-found-title = Табылган жок
not-found-detail = Мындай бет же жазуу жок.
bad-form-title = Форманы кабыл алууга болбойт
csrf-title = Сурам четке кагылды
csrf-detail = Сурам бул консолдун бетинен келген жок (же бет эскирип калган). Эч нерсе өзгөргөн жок. Бетти кайра ачып, аракетти кайталаңыз.
too-many-title = Өтө көп аракет
too-many-detail = { $count ->
    [one] Бул даректен өтө көп аракет. { $n } секунддан кийин кайталаңыз.
   *[other] Бул даректен өтө көп аракет. { $n } секунддан кийин кайталаңыз.
}
refused-title = Аткарылган жок
busy-title = Борбордук аппарат бош эмес
busy-detail = Маалымат базасы убагында жооп берген жок. Эч нерсе жоголгон жок; бир аздан кийин кайталаңыз.
form-field-missing = Милдеттүү талаа толтурулган жок. Артка кайтып, толтуруп, форманы кайра жөнөтүңүз.
form-malformed = Форма бузулган. Артка кайтып, кайра жөнөтүңүз.
text-too-long = Текст 1 000 белгиден узун.
upload-missing = Жүктөө үчүн файл тандаңыз.
upload-not-text = Файл текст эмес (UTF-8 коддогу JSON күтүлөт).
upload-too-large = Файл 512 КиБ дан чоң — бул сурамжы же маалымдама үчүн чек.
validity-invalid = Жарактуулук мөөнөтү — 1ден 365ке чейинки күн саны.
storage-busy = Маалымат базасы убагында жооп берген жок; кайталаңыз.
username-invalid = Колдонуучу аты 2ден 32ге чейин белги: латын тамгалары a-z, сандар, чекит, сызыкча же астын сызуу.
name-invalid = Аты 1ден 80ге чейин белги.
username-taken = Бул колдонуучу аты бош эмес.
account-unknown = Мындай эсеп жок.
office-invalid = Мекеменин коду 1ден 12ге чейин латын тамгасы, сан же сызыкча.

sign-in-title = Кирүү
sign-in-intro = Министрликтин кызматкерлери үчүн гана. Сырсөз жана аутентификатор тиркемесиндеги алты орундуу код керек.
sign-in-continue = Улантуу
sign-in-wrong = Колдонуучу аты же сырсөз туура эмес.
sign-in-wait = { $count ->
    [one] Бул эсеп үчүн ийгиликсиз аракеттер өтө көп. { $n } секунд күтүп, кайталаңыз.
   *[other] Бул эсеп үчүн ийгиликсиз аракеттер өтө көп. { $n } секунд күтүп, кайталаңыз.
}
session-expired = Аракетсиз убакыттан кийин сеанс бүттү. Кайра кириңиз.
signed-out = Сиз системадан чыктыңыз.
setup-done = Сырсөз коюлду. Кириңиз.
setup-link = Биринчи жолубу? Администратор берген код менен эсебиңизди ырастаңыз.
second-factor-title = Экинчи фактор
second-factor-intro = { $name }, аутентификатор тиркемеси Homeward үчүн көрсөткөн алты орундуу кодду киргизиңиз.
second-factor-enrol-intro = Эсебиңизге экинчи фактор керек. Бул QR-кодду аутентификатор тиркемеси (FreeOTP, Aegis, Google Authenticator…) менен скандап, көрсөткөн кодду киргизиңиз.
second-factor-enrol-manual = Же бул ачкычты тиркемеге кол менен киргизиңиз:
second-factor-code = Алты орундуу код
second-factor-wrong = Код туура эмес же мурда колдонулган. Кийинки кодду күтүп, кайталаңыз.
second-factor-cancel = Жокко чыгарып, чыгуу
demo-code-hint = Демо режими: бул эсептин учурдагы коду — { $code }.
setup-title = Эсепти ырастоо
setup-intro = Колдонуучу атыңызды, администратордон алган бир жолку кодду киргизип, сырсөз ойлоп табыңыз.
setup-code = Ырастоо коду
setup-continue = Сырсөздү коюу
setup-wrong = Колдонуучу аты же код туура эмес, же коддун мөөнөтү бүткөн. Администратордон жаңысын сураңыз.
new-password = Жаңы сырсөз
repeat-password = Жаңы сырсөздү кайталаңыз
current-password = Учурдагы сырсөз
password-rule = 8ден 128ге чейин белги; бир нече сөздөн турган сүйлөм эң жакшы. Кеңири таралган сырсөздөр кабыл алынбайт.
password-too-short = Сырсөздө кеминде 8 белги болушу керек.
password-too-long = Сырсөздө 128ден ашык белги болбошу керек.
password-common = Бул сырсөз кеңири таралган сырсөздөрдүн тизмесинде бар. Башкасын тандаңыз.
password-mismatch = Сырсөздөр дал келбейт.
password-wrong = Сырсөз туура эмес. Эч нерсе өзгөргөн жок.

home-greeting = Кутман күн, { $name }
home-intro-reviewer = Кайтуу күбөлүгүнө арыздар инсандыкты текшерүүнү жана чечимиңизди күтүп турат, эң эскилеринен баштап.
home-intro-administrator = Түзмөктөр, каттоо, сурамжылар, маалымдамалар жана кызматкерлердин эсептери.
home-intro-analyst = Мониторинг үчүн көрсөткүчтөр. Адамды таанып калбаш үчүн кичине сандар жашырылат.
home-intro-auditor = Ар бир түзмөктө жана борбордук аппаратта ким эмнени көргөн же өзгөрткөн. Окуу үчүн гана.
home-waiting = { $count ->
    [one] арыз текшерүүнү күтүүдө
   *[other] арыз текшерүүнү күтүүдө
}
home-waiting-victims = { $count ->
    [one] алардын { $n } — адам сатуунун болжолдуу жабыркоочусу
   *[other] алардын { $n } — адам сатуунун болжолдуу жабыркоочулары
}
home-asked = консулдуктун жообун күтүүдө
home-conflicts = { $count ->
    [one] иш чыр-чатакта
   *[other] иш чыр-чатакта
}
home-devices = { $count ->
    [one] жигердүү түзмөк
   *[other] жигердүү түзмөк
}
home-overdue = { $count ->
    [one] { $n } түзмөк 14 күндөн бери байланышка чыккан жок
   *[other] { $n } түзмөк 14 күндөн бери байланышка чыккан жок
}
home-checklist = колдонуудагы сурамжы
home-staff = { $count ->
    [one] кызматкердин эсеби
   *[other] кызматкердин эсеби
}
home-screenings = алынган сурамжылар
home-presumed = аныкталган болжолдуу жабыркоочулар
home-audit-entries = { $count ->
    [one] аудит жазуусу
   *[other] аудит жазуусу
}
home-tampered = { $count ->
    [one] четке кагылган (бурмаланган) топтому бар чынжыр
   *[other] четке кагылган (бурмаланган) топтому бар чынжыр
}

queue-title = Текшерүү кезеги
queue-filters = Кезекти чыпкалоо
queue-caption = Күбөлүккө арыздар, эң эскилери биринчи
queue-total = { $count ->
    [one] { $n } арыз табылды
   *[other] { $n } арыз табылды
}
queue-empty = Бул шарттарга бир да арыз туура келбейт.
queue-keys-hint = Баскычтар: j жана k — саптар боюнча, o — ачуу, / — чыпкаларга, ? — бардык баскычтар.
filter-state = Абалы
filter-office = Консулдук
filter-any-office = Каалаган консулдук
filter-age = Күтүүдө
filter-any-age = Каалаган мөөнөт
filter-days-or-more = { $count ->
    [one] { $n } күн жана андан көп
   *[other] { $n } күн жана андан көп
}
filter-victim = Адам сатуунун жабыркоочусу
filter-victim-any = Баары
filter-victim-yes = Болжолдуу жабыркоочу
filter-victim-no = Белгиси жок
filter-apply = Колдонуу
find-title = Адамдын арыздарын табуу
find-document = Документтин номери
find-surname = Фамилиясы
find-given = Аты
find-dob = Туулган күнү
find-apply = Табуу
find-hint = Документтин номери гана, же фамилиясы, аты жана туулган күнү чогуу. Аттар жана номерлер штабда шифрленген түрдө сакталат: так дал келүү гана табылат (боштуктар, сызыкчалар жана регистр эсепке алынбайт). Издөө аудит журналына жазылат.
find-total = { $count ->
    [one] Бул адам үчүн { $n } арыз табылды
   *[other] Бул адам үчүн { $n } арыз табылды
}
filter-state-waiting = Борбордук аппаратты күтүүдө
filter-state-submitted = Берилген
filter-state-identity-verified = Инсандыгы ырасталган
filter-state-more-information-requested = Маалымат суралган
filter-state-approved = Жактырылган
filter-state-issued = Берилген күбөлүк
filter-state-entered = Өлкөгө кирген
filter-state-rejected = Четке кагылган
filter-state-conflict = Чыр-чатакта
filter-state-all = Бардык абалдар
col-case = Иш
col-office = Мекеме
col-state = Абалы
col-flags = Белгилер
col-waiting-since = Качантан бери күтүүдө
col-waiting = Күтүүдө
col-when = Качан
col-event = Окуя
col-who = Ким
col-role = Ролу
col-device = Түзмөк
col-last-contact = Акыркы байланыш
col-alerts = Эскертүүлөр
col-path = Кайда
col-problem = Ката
col-change = Өзгөрүү
col-detail = Толугураак
col-total = Бардыгы
col-crossing = Өткөрүү пункту
col-consulate = Консулдук
col-month = Ай
col-exploitation = Эксплуатациянын түрү
col-age-band = Жашы
flag-victim = Болжолдуу жабыркоочу
flag-conflict = Чыр-чатак
pager = Беттер
pager-first = ← Биринчи бет
pager-next = Кийинки бет →
pager-newest = ← Эң жаңылары
pager-older = Эскирээктер →

state-draft = Долбоор
state-submitted = Берилди
state-more-information-requested = Маалымат суралды
state-identity-verified = Инсандыгы ырасталды
state-approved = Жактырылды
state-rejected = Четке кагылды
state-issued = Берилди (күбөлүк)
state-entered = Өлкөгө кирди
state-expired = Мөөнөтү бүттү
state-cancelled = Жокко чыгарылды
state-revoked = Күчүн жоготту
state-none = Абалы жок (чыр-чатак же баш тартуу)
event-created = Арыз кабыл алынды
event-updated = Арыз өзгөртүлдү
event-submitted = Борбордук аппаратка жөнөтүлдү
event-identity-verified = Инсандыгы ырасталды
event-more-information-requested = Маалымат суралды
event-approved = Жактырылды
event-rejected = Четке кагылды
event-issued = Күбөлүк берилди
event-entered = Өлкөгө кирди
event-expired = Мөөнөтү бүттү
event-cancelled = Жокко чыгарылды
event-revoked = Күчүн жоготту
event-conflict-resolved = Чыр-чатак чечилди

case-title = Иш
case-summary = Арыз
case-office = Консулдук
case-request-date = Кабыл алынган күнү
case-travel-date = Сапардын күнү
case-route = Каттам
case-loss = Паспорт
case-evidence = Жарандыктын далили
case-children = Коштоп жүргөн балдар
case-fee = Алым
case-certificate = Күбөлүктүн номери
case-valid-until = Жарактуу мөөнөтү
case-entered = Кирген жери
case-last-note = Акыркы белги:
case-assessment = Кызматкердин баасы
case-victim-note = Адам сатуу белгисине эскертүү
fee-waived-victim = Алынбайт: адам сатуунун жабыркоочусу (№ 839 токтом)
fee-standard = Кадимки алым
loss-lost = Жоголгон
loss-stolen = Уурдалган
loss-held-by-employer = Иш берүүчүдө кармалууда
loss-held-by-trafficker = Адам сатуучуда кармалууда
evidence-old-passport = Мурдагы паспорт
evidence-national-id = ID-карта
evidence-birth-certificate = Туулгандыгы тууралуу күбөлүк
evidence-witnesses = Туугандар же күбөлөр
evidence-verification-requested = ИИМ аркылуу текшерүү
full-record-title = Жеке маалыматтар (толук жазуу)
full-record-intro = Аттары, туулган күнү жана документтердин номерлери себеби көрсөтүлгөндө гана ачылат; себеп атыңыз менен бирге борбордук аппараттын аудит журналына жазылат.
full-record-open = Толук жазууну көрсөтүү
full-record-marking = КУПУЯ: көчүрбөңүз жана башкага бербеңиз.
justification = Себеби
justification-identity = Бул арыз боюнча инсандыкты текшерүү
justification-supervisor = Жетекчинин текшерүүсү
justification-legal = Тергөөнүн, прокуратуранын же соттун сурамы
justification-other = Башка себеп (төмөндө жазыңыз)
justification-detail = Толугураак (аттарсыз)
justification-hint = Бул жерге адамдын атын жазбаңыз: себеп аудит журналында сакталат.
justification-required = Толук жазууну ачуу үчүн себеп керек.
person-surname = Фамилиясы
person-given-name = Аты
person-patronymic = Атасынын аты
person-date-of-birth = Туулган күнү
person-place-of-birth = Туулган жери
person-sex = Жынысы
person-guardian = Ата-энеси же камкорчусу
sex-f = Аял
sex-m = Эркек
sex-x = Көрсөтүлгөн эмес
photo-sealed = Сүрөт консулдуктун түзмөгүндө шифрленген бойдон калат; бул жердеги изи { $code } менен башталат.
photo-none = Сүрөт тартылган жок.
screening-title = Иш келип чыккан сурамжы
screening-date = Күнү
screening-crossing = Өткөрүү пункту
screening-verdict = Жыйынтык
screening-child-rule = бала: аракет жана максат жетиштүү
screening-exploitation = Эксплуатация
screening-no-answers = Борбордук аппарат белгилерди жана жыйынтыкты гана алат — жоопторду же адамдын инсандыгын эч качан.
element-act = Аракет
element-means = Ыкма
element-purpose = Максат
element-control = Көзөмөлдүн белгилери
element-child = Балага тиешелүү белгилер
verdict-no-indicators = Белгилер жок
verdict-further-interview = Кошумча маек керек
verdict-presumed-victim = Болжолдуу жабыркоочу
exploitation-sexual-exploitation = Сексуалдык эксплуатация
exploitation-forced-labour = Мажбурлап иштетүү
exploitation-slavery = Кулчулук же ага окшош адаттар
exploitation-servitude = Көз карандылык абалы
exploitation-organ-removal = Органдарды алуу
exploitation-criminal-activity = Кылмыштуу ишке тартуу
exploitation-commercial-adoption = Коммерциялык максатта асырап алуу
exploitation-armed-conflict = Куралдуу кагылышта пайдалануу
history-title = Тарых
history-by-operator = { $user } (борбордук аппараттын ачкычы, { $device })
history-refused = Колдонулбаган окуялар
conflict-title = Чыр-чатак
conflict-intro = Эки түзмөк бул иш боюнча ар башка кийинки кадамдарды жазды. Борбордук аппарат чыр-чатакты чечмейинче чечим кабыл алууга болбойт.
conflict-branch = { $what }: { $device } (күбөлүк { $number })
decide-title = Чечим
decide-none = Бул абалда чечим кабыл алууга болбойт.
decide-keys-hint = Баскычтар чечимге өткөрөт: v, m, a, r. Enter жөнөтөт. n кийинки ишти ачат.
decide-verify-identity = Инсандыгы ырасталды
decide-verify-identity-field = Белги
decide-verify-identity-default = Инсандыгы ырасталды
decide-more-info = Маалымат суроо
decide-more-info-field = Консулдукка суроо
decide-approve = Жактыруу
decide-approve-field = Жарактуулук мөөнөтү (күн)
decide-reject = Четке кагуу
decide-reject-field = Себеби
decide-revoke = Күбөлүктү жокко чыгаруу
decide-revoke-field = Себеби
decide-resolve-conflict = Бул бутакты калтыруу
decide-resolve-conflict-field = Эмне үчүн калтырылат
decision-moved-on = Сиз карап турганда иш өзгөрдү: { $user } { $when } «{ $what }» деп жазды. Эч нерсе колдонулган жок. Ишти кайра текшериңиз.
decision-refused = Борбордук аппараттын эрежелери бул чечимге жол бербейт: { $reason }
done-decided-verify-identity = Инсандыгы ырасталды. Мына кийинки иш.
done-decided-more-info = Суроо жөнөтүлдү. Мына кийинки иш.
done-decided-approve = Жактырылды. Мына кийинки иш.
done-decided-reject = Четке кагылды. Мына кийинки иш.
done-decided-revoke = Күбөлүк жокко чыгарылды. Мына кийинки иш.
done-decided-resolve-conflict = Чыр-чатак чечилди. Мына кийинки иш.
done-session-ended = Сеанс бүттү.
done-password-changed = Сырсөз өзгөрдү; башка сеанстарыңыз бүттү.
done-device-revoked = Түзмөк кайтарылып алынды.
done-device-wiped = Түзмөк кайтарылып алынды жана кийинки байланышта тазаланат.
done-checklist-published = Сурамжы жарыяланды; түзмөктөр аны кийинки шайкештирүүдө орнотот.
done-reference-published = Маалымдамалар жарыяланды.
done-staff-changed = Эсеп өзгөрдү.

devices-title = Түзмөктөр
devices-list = Катталган түзмөктөр
devices-show-alerts = Эскертүүсү бар түзмөктөр гана
devices-show-all = Бардык түзмөктөр
device-role-consular-officer = Консулдук кызматкер
device-role-border-guard = Чек арачы
device-role-headquarters = Борбордук аппараттын консолу
device-actions = Аракеттер
alert-restored = Эски көчүрмөдөн калыбына келтирилген
alert-wipe-confirmed = Тазалоо ырасталды
alert-wipe-ordered = Тазалоо дайындалды
alert-overdue = Байланыш мөөнөтү өттү
alert-revoked = Кайтарылып алынган
enrol-title = Түзмөктү каттоо
enrol-issue = Каттоо кодун берүү
enrol-code-title = Каттоо коду
enrol-code-expires = Жарактуу мөөнөтү
enrol-code-hint = Бул кодду кызматкерге бериңиз (же телефонго QR-кодду скандатыңыз). Код бир жолу, 15 мүнөт иштейт.
enrol-pin = Борбордук аппараттын TLS күбөлөндүрүү борбору (SHA-256)
unlock-issue = Кулпуну ачуу коду
unlock-title = Кулпуну ачуу коду
unlock-for = Түзмөк үчүн
unlock-hint = Бул кодду кызматкерге телефон аркылуу окуп бериңиз. Ал бир жолу иштейт жана кулпуну 3 күнгө ачат.
revoke = Кайтарып алуу
revoke-wipe = Ошондой эле кийинки байланышта түзмөктү тазалоо
revoke-password = Сырсөзүңүз

checklists-title = Сурамжылар
reference-title = Маалымдамалар
publish-in-force = Колдонуудагы
publish-draft = Жүктөлдү:
publish-valid = Файл туура.
publish-problems = { $count ->
    [one] Жарыялаардан мурда { $n } катаны оңдоо керек:
   *[other] Жарыялаардан мурда { $n } катаны оңдоо керек:
}
publish-changes = Эмне өзгөрөт
publish-no-changes = Эч нерсе өзгөрбөйт.
publish-now = Бардык түзмөктөргө жарыялоо
publish-upload = Жаңы версияны жүктөө
publish-file = Файл (JSON)
publish-file-checklist = Файл (JSON же XLSForm .xlsx)
publish-check = Текшерүү
publish-has-problems = Файлда каталар бар; эч нерсе жарыяланган жок.
problem-file = файл
checklist-id = Сурамжы
checklist-version = Версиясы
checklist-title-field = Аталышы
checklist-questions = Суроолор
checklist-published = Жарыяланган
checklist-built-in = демейки боюнча орнотулган
checklist-not-newer = Версия колдонуудагыдан жаңы болушу керек ({ $version }).
checklist-upload-intro = JSON форматындагы сурамжынын үлгүсү же XLSForm форматындагы Excel файлы (.xlsx; docs/SCREENING.md). Түзмөктөрдөгү эрежелер менен текшерилет.
change-added = { $code } суроосу кошулду
change-removed = { $code } суроосу өчүрүлдү
change-reworded = { $code }: сөзү өзгөрдү ({ $lang })
change-answer = { $code }: жооп же милдеттүүлүк өзгөрдү
change-crossing-added = { $code } өткөрүү пункту кошулду
change-crossing-removed = { $code } өткөрүү пункту өчүрүлдү
change-consulate-added = { $code } консулдугу кошулду
change-consulate-removed = { $code } консулдугу өчүрүлдү
reference-fee = Кадимки алым
reference-validity = Демейки жарактуулук мөөнөтү
reference-sequence = Версиясы
reference-none = азырынча жарыялана элек
reference-crossings = Өткөрүү пункттары
reference-consulates = Консулдуктар
reference-sample-note = Маалымдамалар жүктөлмөйүнчө орнотулган үлгүлөр көрсөтүлөт.
reference-upload-intro = JSON файлы: алым, жарактуулук мөөнөтү, өткөрүү пункттары жана консулдуктар кыргыз, орус жана англис тилдериндеги аталыштары менен.

staff-title = Кызматкерлердин эсептери
staff-add = Эсеп кошуу
staff-add-button = Кошуу
staff-name = Толук аты
staff-active = Жигердүү
staff-disabled = Өчүрүлгөн
staff-awaiting-setup = Ырастоону күтүүдө
staff-awaiting-second-factor = Экинчи факторду күтүүдө
staff-disable = Өчүрүү
staff-enable = Күйгүзүү
staff-reset = Жаңы ырастоо коду
staff-you = сиз
staff-not-yourself = Өз эсебиңизди бул жерден өзгөртүүгө болбойт.
staff-setup-code = Ырастоо коду
staff-setup-for = Кимге
staff-setup-hint = Бул кодду ээсине өзү колуна бериңиз. Ал ырастоо бетинде бир жолу, 72 саат иштейт.

audit-title = Аудит журналы
audit-intro = Борбордук аппараттын өз чынжыры жана ар бир түзмөктүн чынжыры. Сиздин издөөлөрүңүз жана жүктөп алууларыңыз да жазылат.
audit-filters = Аудит журналын чыпкалоо
audit-source = Чынжырлар
audit-source-all = Баары
audit-source-hq = Борбордук аппарат
audit-source-devices = Түзмөктөр
audit-actor = Ким
audit-action = Аракет
audit-any = Каалаган
audit-record = Жазуунун номери
audit-device = Түзмөк
audit-from = Баштап
audit-to = Чейин
audit-export = CSV жүктөп алуу
audit-none = Туура келген жазуу жок.
audit-chain = Чынжыр
audit-why = Себеби
action-view = Толук жазуу ачылды
action-search = Тизме же кыскача маалымат каралды
action-create = Түзүлдү
action-change = Өзгөртүлдү
action-export = Жүктөп алынды
action-referral = Жолдомо
action-consent = Макулдук
action-purge = Мөөнөтү боюнча өчүрүлдү
action-unlock = Кулпу ачылды
action-unlock_refused = Кулпуну ачуу коду туура эмес
action-setting = Жөндөө өзгөрдү
action-restore = Эски көчүрмөдөн калыбына келтирилди (журналдын бутагы)
action-acknowledge = Билдирүү ырасталды
subject-screening = сурамжы
subject-certificate-case = күбөлүк иштери
subject-referral = жолдомо
subject-statistics = статистика
subject-device = түзмөк
verify-title = Чынжырды текшерүү
verify-button = Текшерүү
verify-intact = { $device } чынжыры бүтүн: { $n } жазуу, ар бир кол тамга жана байланыш текшерилди.
verify-broken = { $device } чынжыры бузулган: { $reason }
verify-refused-batch = Борбордук аппарат андан бир жолу топтомду четке каккан: { $reason }
signins-title = Акыркы кирүүлөр
signins-outcome = Жыйынтык
signin-backoff = баш тартуу: күтүү убактысы
signin-disabled = баш тартуу: эсеп өчүрүлгөн
signin-wrong-password = сырсөз туура эмес
signin-unknown-user = белгисиз колдонуучу аты
signin-password-ok = сырсөз кабыл алынды
signin-wrong-code = код туура эмес
signin-signed-in = кирди
signin-setup-password-set = сырсөз коюлду
signin-wrong-setup-code = ырастоо коду туура эмес
signin-signed-out = чыкты
signin-signed-out-everywhere = бардык жерден чыкты
signin-password-changed = сырсөз өзгөрдү

stats-title = Статистика
marking-fouo = КЫЗМАТТЫК ПАЙДАЛАНУУ ҮЧҮН
stats-k-note = { $count ->
    [one] { $n } дөн кичине сандар (•) жашырылган, жыйынтыктардан эсептеп чыгарууга мүмкүн болбошу үчүн башкалардын минимуму менен бирге.
   *[other] { $n } дөн кичине сандар (•) жашырылган, жыйынтыктардан эсептеп чыгарууга мүмкүн болбошу үчүн башкалардын минимуму менен бирге.
}
stats-filters = Статистиканы чыпкалоо
stats-from = Айдан баштап
stats-to = Айга чейин
stats-all-crossings = Бардык өткөрүү пункттары
stats-export = CSV жүктөп алуу
stats-no-data = Азырынча маалымат жок.
stats-hidden-note = • жашырылган: кичине сан же аны эсептеп чыгарууга мүмкүндүк берген сан.
suppressed-cell = { $count ->
    [one] жашырылган ({ $n } дөн кичине)
   *[other] жашырылган ({ $n } дөн кичине)
}
stats-by-crossing = Сурамжылар өткөрүү пункттары жана жыйынтыктары боюнча
stats-by-month = Сурамжылар айлар жана жыйынтыктары боюнча
stats-by-exploitation = Болжолдуу жабыркоочулар эксплуатациянын түрлөрү боюнча
stats-victims-sex-age = Адам сатуу белгиси бар күбөлүккө арыз берүүчүлөр, жынысы жана жашы боюнча
stats-certificates-state = Күбөлүккө арыздар консулдуктар жана абалдары боюнча
stats-fee-waiver = Берилген күбөлүктөр консулдуктар жана алым боюнча
stats-timing = Арыздан күбөлүк берилгенге чейинки мөөнөт
stats-adult = Чоңдор
stats-child = Балдар
stats-group-waiting = Иште
stats-group-approved = Жактырылган
stats-group-issued = Берилген
stats-group-entered = Кирген
stats-group-closed = Жабылган
stats-fee-waived = Алымсыз
stats-fee-standard = Алым менен
stats-issued-count = Берилди
stats-median = Медиана
stats-p90 = 90-процентиль
stats-all-consulates = Бардык консулдуктар

account-title = Сиздин эсебиңиз
account-sessions = Кайда кирдиңиз
account-sessions-intro = Сиз кирген ар бир браузер. Тааныш эмес сеанстарды бүтүрүп, администраторго кабарлаңыз.
session-started = Кирген убакыт
session-last = Акыркы жигердүүлүк
session-address = Дарек
session-browser = Браузер
session-this = ушул браузер
session-end = Бүтүрүү
account-password = Сырсөздү өзгөртүү
account-password-change = Сырсөздү өзгөртүү

help-title = Жардам
help-intro = Консолду чычкан менен, клавиатура менен гана жана JavaScriptсиз колдонсо болот.
help-shortcuts = Баскычтар
help-shortcuts-intro = Жалгыз баскычтар талаага жазбай турганда иштейт. Escape талаадан чыгарат.
help-key = Баскыч
help-does = Аракет
key-next-row = Тизменин кийинки сабы
key-previous-row = Тизменин мурунку сабы
key-open = Тандалган сапты ачуу
key-filter = Чыпкаларга өтүү
key-verify = «Инсандыгы ырасталды» дегенге өтүү
key-more-info = «Маалымат суроо» дегенге өтүү
key-approve = «Жактыруу» дегенге өтүү
key-reject = «Четке кагуу» дегенге өтүү
key-next-case = Кезектеги кийинки ишти ачуу
key-help = Ушул бет
help-privacy = Жеке маалыматтар
help-privacy-text = Тизмелер иштердин номерлерин, мекемелерди жана күндөрдү гана көрсөтөт. Адамдын аты, туулган күнү жана документтери себеп көрсөтүлгөндө гана ачылат, жана ар бир ачылышы атыңыз менен жазылат. Статистика кичине сандарды жашырат.
review-title = Тексттердин текшерилиши
review-in = Текшерилген ({ $lang })
review-count = { $total } тексттин { $reviewed }
col-language = Тил
col-reviewed = Текшерилген
col-unreviewed = Текшерилген эмес
review-override = { $count ->
    [one] { $n } текст текшерилген эмес. Баары бир жарыялоо үчүн себебин жазыңыз (аудит журналында сакталат):
   *[other] { $n } текст текшерилген эмес. Баары бир жарыялоо үчүн себебин жазыңыз (аудит журналында сакталат):
}
review-refused = { $count ->
    [one] { $n } текст текшерилген эмес: текшерүүсүз жарыялоонун себебин жазыңыз.
   *[other] { $n } текст текшерилген эмес: текшерүүсүз жарыялоонун себебин жазыңыз.
}
