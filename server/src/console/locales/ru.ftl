product = Homeward — центральный аппарат
skip-to-content = Перейти к содержанию
nav-label = Главное меню
nav-home = Главная
nav-queue = Очередь на проверку
nav-devices = Устройства
nav-checklists = Опросники
nav-reference = Справочники
nav-staff = Сотрудники
nav-statistics = Статистика
nav-audit = Журнал аудита
nav-help = Справка
sign-in = Войти
sign-out = Выйти
sign-out-everywhere = Выйти на всех устройствах
language = Язык
language-apply = Сменить
demo-banner = Демонстрационный режим: вымышленные люди и данные, входы напечатаны в терминале. Не используйте его для настоящей работы.
footer-marking = Содержит персональные данные, охраняемые законом (Закон «О предупреждении и борьбе с торговлей людьми», ст. 25). Каждый просмотр записывается.
footer-product = Homeward · консоль центрального аппарата
back-home = На главную
next-case = Следующее дело →
days-less-than-one = меньше дня
back-to-queue = ← К очереди на проверку
actions = Действия
role = Роль
role-reviewer = Проверяющий
role-administrator = Администратор
role-analyst = Аналитик
role-auditor = Аудитор
username = Имя пользователя
password = Пароль
never = никогда
days = { $count ->
    [one] { $n } день
    [few] { $n } дня
    [many] { $n } дней
   *[other] { $n } дня
}
cases-count = { $count ->
    [one] { $n } заявление
    [few] { $n } заявления
    [many] { $n } заявлений
   *[other] { $n } заявления
}
duration-hours = { $count ->
    [one] { $n } час
    [few] { $n } часа
    [many] { $n } часов
   *[other] { $n } часа
}
duration-days = { $count ->
    [one] { $n } день
    [few] { $n } дня
    [many] { $n } дней
   *[other] { $n } дня
}

problem-title = Требуется ваше внимание
forbidden-title = Не для вашей роли
forbidden-detail = Эта страница относится к другой роли. Ничего не показано и не изменено. Если она вам нужна, обратитесь к администратору.
not-found-title = Не найдено
not-found-detail = Такой страницы или записи нет.
bad-form-title = Форму невозможно принять
csrf-title = Запрос отклонён
csrf-detail = Запрос пришёл не со страницы этой консоли (или страница устарела). Ничего не изменено. Откройте страницу заново и повторите действие.
too-many-title = Слишком много попыток
too-many-detail = { $count ->
    [one] Слишком много попыток с этого адреса. Повторите через { $n } секунду.
    [few] Слишком много попыток с этого адреса. Повторите через { $n } секунды.
    [many] Слишком много попыток с этого адреса. Повторите через { $n } секунд.
   *[other] Слишком много попыток с этого адреса. Повторите через { $n } секунды.
}
refused-title = Не выполнено
busy-title = Центральный аппарат занят
busy-detail = База данных не ответила вовремя. Ничего не потеряно; повторите через минуту.
form-field-missing = Обязательное поле не заполнено. Вернитесь, заполните его и отправьте форму снова.
form-malformed = Форма повреждена. Вернитесь и отправьте её снова.
text-too-long = Текст длиннее 1 000 знаков.
upload-missing = Выберите файл для загрузки.
upload-not-text = Файл не текстовый (ожидается JSON в UTF-8).
upload-too-large = Файл больше 512 КиБ — это предел для опросника или справочника.
validity-invalid = Срок действия — число дней от 1 до 365.
storage-busy = База данных не ответила вовремя; повторите.
username-invalid = Имя пользователя — от 2 до 32 знаков: латинские буквы a-z, цифры, точка, дефис или подчёркивание.
name-invalid = Имя — от 1 до 80 знаков.
username-taken = Это имя пользователя уже занято.
account-unknown = Такой учётной записи нет.
office-invalid = Код учреждения — от 1 до 12 латинских букв, цифр или дефисов.

sign-in-title = Вход
sign-in-intro = Только для сотрудников министерства. Нужны пароль и шестизначный код из приложения-аутентификатора.
sign-in-continue = Продолжить
sign-in-wrong = Неверное имя пользователя или пароль.
sign-in-wait = { $count ->
    [one] Слишком много неудачных попыток для этой учётной записи. Подождите { $n } секунду и повторите.
    [few] Слишком много неудачных попыток для этой учётной записи. Подождите { $n } секунды и повторите.
    [many] Слишком много неудачных попыток для этой учётной записи. Подождите { $n } секунд и повторите.
   *[other] Слишком много неудачных попыток для этой учётной записи. Подождите { $n } секунды и повторите.
}
session-expired = Сеанс завершён после периода бездействия. Войдите снова.
signed-out = Вы вышли из системы.
setup-done = Пароль установлен. Войдите.
setup-link = Впервые здесь? Настройте учётную запись с кодом, который выдал администратор.
second-factor-title = Второй фактор
second-factor-intro = { $name }, введите шестизначный код, который приложение-аутентификатор показывает для Homeward.
second-factor-enrol-intro = Вашей учётной записи нужен второй фактор. Отсканируйте QR-код приложением-аутентификатором (FreeOTP, Aegis, Google Authenticator…) и введите показанный код.
second-factor-enrol-manual = Или введите этот ключ в приложение вручную:
second-factor-code = Шестизначный код
second-factor-wrong = Код неверен или уже использован. Дождитесь следующего кода и повторите.
second-factor-cancel = Отменить и выйти
demo-code-hint = Демонстрационный режим: текущий код этой учётной записи — { $code }.
setup-title = Настройка учётной записи
setup-intro = Введите имя пользователя, одноразовый код от администратора и придумайте пароль.
setup-code = Код настройки
setup-continue = Установить пароль
setup-wrong = Имя пользователя или код неверны, либо срок кода истёк. Попросите у администратора новый.
new-password = Новый пароль
repeat-password = Повторите новый пароль
current-password = Текущий пароль
password-rule = От 8 до 128 знаков; лучше всего фраза из нескольких слов. Распространённые пароли не принимаются.
password-too-short = В пароле должно быть не меньше 8 знаков.
password-too-long = В пароле должно быть не больше 128 знаков.
password-common = Этот пароль есть в списке распространённых. Выберите другой.
password-mismatch = Пароли не совпадают.
password-wrong = Пароль неверен. Ничего не изменено.

home-greeting = Добрый день, { $name }
home-intro-reviewer = Заявления на свидетельство на возвращение ждут вашей проверки личности и решения, начиная с самых старых.
home-intro-administrator = Устройства, регистрация, опросники, справочники и учётные записи сотрудников.
home-intro-analyst = Показатели для мониторинга. Малые числа скрыты, чтобы нельзя было узнать человека.
home-intro-auditor = Кто что просматривал или менял на каждом устройстве и в центральном аппарате. Только чтение.
home-waiting = { $count ->
    [one] заявление ждёт проверки
    [few] заявления ждут проверки
    [many] заявлений ждут проверки
   *[other] заявления ждут проверки
}
home-waiting-victims = { $count ->
    [one] из них { $n } — предполагаемая жертва торговли людьми
    [few] из них { $n } — предполагаемые жертвы торговли людьми
    [many] из них { $n } — предполагаемые жертвы торговли людьми
   *[other] из них { $n } — предполагаемые жертвы торговли людьми
}
home-asked = ждут ответа консульства
home-conflicts = { $count ->
    [one] дело в конфликте
    [few] дела в конфликте
    [many] дел в конфликте
   *[other] дела в конфликте
}
home-devices = { $count ->
    [one] активное устройство
    [few] активных устройства
    [many] активных устройств
   *[other] активного устройства
}
home-overdue = { $count ->
    [one] { $n } не выходило на связь 14 дней
    [few] { $n } не выходили на связь 14 дней
    [many] { $n } не выходили на связь 14 дней
   *[other] { $n } не выходили на связь 14 дней
}
home-checklist = действующий опросник
home-staff = { $count ->
    [one] учётная запись сотрудника
    [few] учётные записи сотрудников
    [many] учётных записей сотрудников
   *[other] учётной записи сотрудников
}
home-screenings = получено опросов
home-presumed = выявлено предполагаемых жертв
home-audit-entries = { $count ->
    [one] запись аудита
    [few] записи аудита
    [many] записей аудита
   *[other] записи аудита
}
home-tampered = { $count ->
    [one] цепочка с отклонённым (подделанным) пакетом
    [few] цепочки с отклонённым (подделанным) пакетом
    [many] цепочек с отклонённым (подделанным) пакетом
   *[other] цепочки с отклонённым (подделанным) пакетом
}

queue-title = Очередь на проверку
queue-filters = Фильтр очереди
queue-caption = Заявления на свидетельство, сначала самые старые
queue-total = { $count ->
    [one] Найдено { $n } заявление
    [few] Найдено { $n } заявления
    [many] Найдено { $n } заявлений
   *[other] Найдено { $n } заявления
}
queue-empty = Под эти условия не подходит ни одно заявление.
queue-keys-hint = Клавиши: j и k — по строкам, o — открыть, / — к фильтрам, ? — все сочетания клавиш.
filter-state = Состояние
filter-office = Консульство
filter-any-office = Любое консульство
filter-age = Ожидает
filter-any-age = Любой срок
filter-days-or-more = { $count ->
    [one] { $n } день и больше
    [few] { $n } дня и больше
    [many] { $n } дней и больше
   *[other] { $n } дня и больше
}
filter-victim = Жертва торговли людьми
filter-victim-any = Все
filter-victim-yes = Предполагаемая жертва
filter-victim-no = Без отметки
filter-apply = Применить
find-title = Найти заявления человека
find-document = Номер документа
find-surname = Фамилия
find-given = Имя
find-dob = Дата рождения
find-apply = Найти
find-hint = Только номер документа или фамилия, имя и дата рождения вместе. Имена и номера хранятся в штабе в зашифрованном виде: находится только точное совпадение (без учёта пробелов, дефисов и регистра). Поиск записывается в журнал аудита.
find-total = { $count ->
    [one] Для этого человека найдено { $n } заявление
    [few] Для этого человека найдено { $n } заявления
    [many] Для этого человека найдено { $n } заявлений
   *[other] Для этого человека найдено { $n } заявления
}
filter-state-waiting = Ждут центральный аппарат
filter-state-submitted = Поданы
filter-state-identity-verified = Личность подтверждена
filter-state-more-information-requested = Запрошены сведения
filter-state-approved = Одобрены
filter-state-issued = Выданы
filter-state-entered = Въехали в страну
filter-state-rejected = Отклонены
filter-state-conflict = В конфликте
filter-state-all = Все состояния
col-case = Дело
col-office = Учреждение
col-state = Состояние
col-flags = Отметки
col-waiting-since = Ожидает с
col-waiting = Ожидает
col-when = Когда
col-event = Событие
col-who = Кто
col-role = Роль
col-device = Устройство
col-last-contact = Последняя связь
col-alerts = Предупреждения
col-path = Где
col-problem = Ошибка
col-change = Изменение
col-detail = Подробности
col-total = Всего
col-crossing = Пункт пропуска
col-consulate = Консульство
col-month = Месяц
col-exploitation = Вид эксплуатации
col-age-band = Возраст
flag-victim = Предполагаемая жертва
flag-conflict = Конфликт
pager = Страницы
pager-first = ← Первая страница
pager-next = Следующая страница →
pager-newest = ← Самые новые
pager-older = Более старые →

state-draft = Черновик
state-submitted = Подано
state-more-information-requested = Запрошены сведения
state-identity-verified = Личность подтверждена
state-approved = Одобрено
state-rejected = Отклонено
state-issued = Выдано
state-entered = Въехал(а) в страну
state-expired = Срок истёк
state-cancelled = Отменено
state-revoked = Аннулировано
state-none = Нет состояния (конфликт или отказ)
event-created = Заявление принято
event-updated = Заявление изменено
event-submitted = Направлено в центральный аппарат
event-identity-verified = Личность подтверждена
event-more-information-requested = Запрошены сведения
event-approved = Одобрено
event-rejected = Отклонено
event-issued = Свидетельство выдано
event-entered = Въезд в страну
event-expired = Срок истёк
event-cancelled = Отменено
event-revoked = Аннулировано
event-conflict-resolved = Конфликт разрешён

case-title = Дело
case-summary = Заявление
case-office = Консульство
case-request-date = Принято
case-travel-date = Дата поездки
case-route = Маршрут
case-loss = Паспорт
case-evidence = Подтверждение гражданства
case-children = Сопровождающие дети
case-fee = Сбор
case-certificate = Номер свидетельства
case-valid-until = Действительно до
case-entered = Въезд через
case-last-note = Последняя отметка:
case-assessment = Оценка сотрудника
case-victim-note = Примечание к отметке о торговле людьми
fee-waived-victim = Не взимается: жертва торговли людьми (постановление № 839)
fee-standard = Обычный сбор
loss-lost = Утерян
loss-stolen = Украден
loss-held-by-employer = Удерживается работодателем
loss-held-by-trafficker = Удерживается торговцем людьми
evidence-old-passport = Прежний паспорт
evidence-national-id = ID-карта
evidence-birth-certificate = Свидетельство о рождении
evidence-witnesses = Родственники или свидетели
evidence-verification-requested = Проверка через МВД
full-record-title = Личные данные (полная запись)
full-record-intro = Имена, дата рождения и номера документов показываются только с указанием причины; она записывается в журнал аудита центрального аппарата вместе с вашим именем.
full-record-open = Показать полную запись
full-record-marking = КОНФИДЕНЦИАЛЬНО: не копировать и не передавать.
justification = Причина
justification-identity = Проверка личности по этому заявлению
justification-supervisor = Проверка руководителем
justification-legal = Запрос следствия, прокуратуры или суда
justification-other = Другая причина (укажите ниже)
justification-detail = Подробности (без имён)
justification-hint = Не пишите здесь имя человека: причина хранится в журнале аудита.
justification-required = Чтобы открыть полную запись, нужна причина.
person-surname = Фамилия
person-given-name = Имя
person-patronymic = Отчество
person-date-of-birth = Дата рождения
person-place-of-birth = Место рождения
person-sex = Пол
person-guardian = Родитель или опекун
sex-f = Женский
sex-m = Мужской
sex-x = Не указан
photo-sealed = Фотография остаётся зашифрованной на устройстве консульства; её отпечаток здесь начинается с { $code }.
photo-none = Фотография не сделана.
screening-title = Опрос, из которого пришло дело
screening-date = Дата
screening-crossing = Пункт пропуска
screening-verdict = Итог
screening-child-rule = ребёнок: достаточно действия и цели
screening-exploitation = Эксплуатация
screening-no-answers = Центральный аппарат получает только признаки и итог — никогда ответы или личность человека.
element-act = Действие
element-means = Способ
element-purpose = Цель
element-control = Признаки контроля
element-child = Признаки, касающиеся ребёнка
verdict-no-indicators = Признаков нет
verdict-further-interview = Нужна дополнительная беседа
verdict-presumed-victim = Предполагаемая жертва
exploitation-sexual-exploitation = Сексуальная эксплуатация
exploitation-forced-labour = Принудительный труд
exploitation-slavery = Рабство или сходные обычаи
exploitation-servitude = Подневольное состояние
exploitation-organ-removal = Изъятие органов
exploitation-criminal-activity = Вовлечение в преступную деятельность
exploitation-commercial-adoption = Усыновление с коммерческой целью
exploitation-armed-conflict = Использование в вооружённом конфликте
history-title = История
history-by-operator = { $user } (ключ центрального аппарата, { $device })
history-refused = Неприменённые события
conflict-title = Конфликт
conflict-intro = Два устройства записали разные следующие шаги по этому делу. Решение невозможно, пока центральный аппарат не разрешит конфликт.
conflict-branch = { $what }: { $device } (свидетельство { $number })
decide-title = Решение
decide-none = В этом состоянии решение невозможно.
decide-keys-hint = Клавиши переводят к решению: v, m, a, r. Enter отправляет. n открывает следующее дело.
decide-verify-identity = Личность подтверждена
decide-verify-identity-field = Отметка
decide-verify-identity-default = Личность подтверждена
decide-more-info = Запросить сведения
decide-more-info-field = Вопрос консульству
decide-approve = Одобрить
decide-approve-field = Срок действия (дней)
decide-reject = Отклонить
decide-reject-field = Причина
decide-revoke = Аннулировать свидетельство
decide-revoke-field = Причина
decide-resolve-conflict = Оставить эту ветвь
decide-resolve-conflict-field = Почему оставить её
decision-moved-on = Дело изменилось, пока вы его смотрели: { $user } записал(а) «{ $what }» в { $when }. Ничего не применено. Проверьте дело ещё раз.
decision-refused = Правила центрального аппарата не допускают это решение: { $reason }
done-decided-verify-identity = Личность подтверждена. Вот следующее дело.
done-decided-more-info = Вопрос отправлен. Вот следующее дело.
done-decided-approve = Одобрено. Вот следующее дело.
done-decided-reject = Отклонено. Вот следующее дело.
done-decided-revoke = Свидетельство аннулировано. Вот следующее дело.
done-decided-resolve-conflict = Конфликт разрешён. Вот следующее дело.
done-session-ended = Сеанс завершён.
done-password-changed = Пароль изменён; другие ваши сеансы завершены.
done-device-revoked = Устройство отозвано.
done-device-wiped = Устройство отозвано и будет очищено при следующей связи.
done-checklist-published = Опросник опубликован; устройства установят его при следующей синхронизации.
done-reference-published = Справочники опубликованы.
done-staff-changed = Учётная запись изменена.

devices-title = Устройства
devices-list = Зарегистрированные устройства
devices-show-alerts = Только устройства с предупреждениями
devices-show-all = Все устройства
device-role-consular-officer = Консульский сотрудник
device-role-border-guard = Пограничник
device-role-headquarters = Консоль центрального аппарата
device-actions = Действия
alert-restored = Восстановлено из старой копии
alert-wipe-confirmed = Очистка подтверждена
alert-wipe-ordered = Очистка назначена
alert-overdue = Просрочена связь
alert-revoked = Отозвано
enrol-title = Регистрация устройства
enrol-issue = Выдать код регистрации
enrol-code-title = Код регистрации
enrol-code-expires = Действует до
enrol-code-hint = Передайте сотруднику этот код (или дайте телефону отсканировать QR-код). Код действует один раз, 15 минут.
enrol-pin = Центр TLS-сертификации центрального аппарата (SHA-256)
unlock-issue = Код разблокировки
unlock-title = Код разблокировки
unlock-for = Для устройства
unlock-hint = Продиктуйте код сотруднику по телефону. Он действует один раз и снимает блокировку на 3 дня.
revoke = Отозвать
revoke-wipe = Также очистить устройство при следующей связи
revoke-password = Ваш пароль

checklists-title = Опросники
reference-title = Справочники
publish-in-force = Действует
publish-draft = Загружено:
publish-valid = Файл корректен.
publish-problems = { $count ->
    [one] Перед публикацией нужно исправить { $n } ошибку:
    [few] Перед публикацией нужно исправить { $n } ошибки:
    [many] Перед публикацией нужно исправить { $n } ошибок:
   *[other] Перед публикацией нужно исправить { $n } ошибки:
}
publish-changes = Что изменится
publish-no-changes = Ничего не изменится.
publish-now = Опубликовать на все устройства
publish-upload = Загрузить новую версию
publish-file = Файл (JSON)
publish-file-checklist = Файл (JSON или XLSForm .xlsx)
publish-check = Проверить
publish-has-problems = В файле есть ошибки; ничего не опубликовано.
problem-file = файл
checklist-id = Опросник
checklist-version = Версия
checklist-title-field = Название
checklist-questions = Вопросы
checklist-published = Опубликован
checklist-built-in = встроенный по умолчанию
checklist-not-newer = Версия должна быть новее действующей ({ $version }).
checklist-upload-intro = Шаблон опросника в JSON или книга XLSForm (.xlsx; docs/SCREENING.md, «Authoring in XLSForm»). Проверяется теми же правилами, что и на устройствах.
change-added = Добавлен вопрос { $code }
change-removed = Удалён вопрос { $code }
change-reworded = { $code }: изменена формулировка ({ $lang })
change-answer = { $code }: изменён ответ или обязательность
change-crossing-added = Добавлен пункт пропуска { $code }
change-crossing-removed = Удалён пункт пропуска { $code }
change-consulate-added = Добавлено консульство { $code }
change-consulate-removed = Удалено консульство { $code }
reference-fee = Обычный сбор
reference-validity = Срок действия по умолчанию
reference-sequence = Версия
reference-none = ещё не опубликован
reference-crossings = Пункты пропуска
reference-consulates = Консульства
reference-sample-note = Пока справочники не загружены, показаны встроенные образцы.
reference-upload-intro = Файл JSON: сбор, срок действия, пункты пропуска и консульства с названиями на кыргызском, русском и английском.

staff-title = Учётные записи сотрудников
staff-add = Добавить учётную запись
staff-add-button = Добавить
staff-name = Полное имя
staff-active = Активна
staff-disabled = Отключена
staff-awaiting-setup = Ожидает настройки
staff-awaiting-second-factor = Ожидает второй фактор
staff-disable = Отключить
staff-enable = Включить
staff-reset = Новый код настройки
staff-you = вы
staff-not-yourself = Свою учётную запись здесь изменить нельзя.
staff-setup-code = Код настройки
staff-setup-for = Для
staff-setup-hint = Передайте код владельцу лично. Он действует один раз, 72 часа, на странице настройки.

audit-title = Журнал аудита
audit-intro = Собственная цепочка центрального аппарата и цепочки всех устройств. Ваши поиски и выгрузки тоже записываются.
audit-filters = Фильтр журнала аудита
audit-source = Цепочки
audit-source-all = Все
audit-source-hq = Центральный аппарат
audit-source-devices = Устройства
audit-actor = Кто
audit-action = Действие
audit-any = Любое
audit-record = Номер записи
audit-device = Устройство
audit-from = С
audit-to = По
audit-export = Выгрузить CSV
audit-none = Подходящих записей нет.
audit-chain = Цепочка
audit-why = Причина
action-view = Открыта полная запись
action-search = Просмотр списка или сводки
action-create = Создание
action-change = Изменение
action-export = Выгрузка
action-referral = Направление
action-consent = Согласие
action-purge = Удаление по сроку
action-unlock = Разблокировка
action-unlock_refused = Неверный код разблокировки
action-setting = Изменение настроек
action-restore = Восстановлено из старой копии (ветвь журнала)
action-acknowledge = Уведомление подтверждено
subject-screening = опрос
subject-certificate-case = дела о свидетельствах
subject-referral = направление
subject-statistics = статистика
subject-device = устройство
verify-title = Проверить цепочку
verify-button = Проверить
verify-intact = Цепочка { $device } цела: записей — { $n }, каждая подпись и связь проверены.
verify-broken = Цепочка { $device } нарушена: { $reason }
verify-refused-batch = Центральный аппарат однажды отклонил пакет от неё: { $reason }
signins-title = Последние входы
signins-outcome = Итог
signin-backoff = отказ: время ожидания
signin-disabled = отказ: учётная запись отключена
signin-wrong-password = неверный пароль
signin-unknown-user = неизвестное имя пользователя
signin-password-ok = пароль принят
signin-wrong-code = неверный код
signin-signed-in = вход выполнен
signin-setup-password-set = пароль установлен
signin-wrong-setup-code = неверный код настройки
signin-signed-out = выход
signin-signed-out-everywhere = выход на всех устройствах
signin-password-changed = пароль изменён

stats-title = Статистика
marking-fouo = ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ
stats-k-note = { $count ->
    [one] Числа меньше { $n } скрыты (•) вместе с минимумом других, чтобы их нельзя было вычислить из итогов.
    [few] Числа меньше { $n } скрыты (•) вместе с минимумом других, чтобы их нельзя было вычислить из итогов.
    [many] Числа меньше { $n } скрыты (•) вместе с минимумом других, чтобы их нельзя было вычислить из итогов.
   *[other] Числа меньше { $n } скрыты (•) вместе с минимумом других, чтобы их нельзя было вычислить из итогов.
}
stats-filters = Фильтр статистики
stats-from = С месяца
stats-to = По месяц
stats-all-crossings = Все пункты пропуска
stats-export = Выгрузить CSV
stats-no-data = Данных пока нет.
stats-hidden-note = • скрыто: малое число или число, по которому его можно вычислить.
suppressed-cell = { $count ->
    [one] скрыто (меньше { $n })
    [few] скрыто (меньше { $n })
    [many] скрыто (меньше { $n })
   *[other] скрыто (меньше { $n })
}
stats-by-crossing = Опросы по пунктам пропуска и итогам
stats-by-month = Опросы по месяцам и итогам
stats-by-exploitation = Предполагаемые жертвы по видам эксплуатации
stats-victims-sex-age = Заявители на свидетельство с отметкой о торговле людьми, по полу и возрасту
stats-certificates-state = Заявления на свидетельство по консульствам и состояниям
stats-fee-waiver = Выданные свидетельства по консульствам и сбору
stats-timing = Срок от заявления до выдачи
stats-adult = Взрослые
stats-child = Дети
stats-group-waiting = В работе
stats-group-approved = Одобрено
stats-group-issued = Выдано
stats-group-entered = Въехали
stats-group-closed = Закрыто
stats-fee-waived = Без сбора
stats-fee-standard = Со сбором
stats-issued-count = Выдано
stats-median = Медиана
stats-p90 = 90-й процентиль
stats-all-consulates = Все консульства

account-title = Ваша учётная запись
account-sessions = Где выполнен вход
account-sessions-intro = Каждый браузер, где вы вошли. Завершите незнакомые сеансы и сообщите администратору.
session-started = Вход
session-last = Последняя активность
session-address = Адрес
session-browser = Браузер
session-this = этот браузер
session-end = Завершить
account-password = Смена пароля
account-password-change = Сменить пароль

help-title = Справка
help-intro = Консолью можно пользоваться мышью, одной клавиатурой и без JavaScript.
help-shortcuts = Сочетания клавиш
help-shortcuts-intro = Одиночные клавиши работают, когда вы не печатаете в поле. Escape выводит из поля.
help-key = Клавиша
help-does = Действие
key-next-row = Следующая строка списка
key-previous-row = Предыдущая строка списка
key-open = Открыть выбранную строку
key-filter = Перейти к фильтрам
key-verify = Перейти к «Личность подтверждена»
key-more-info = Перейти к «Запросить сведения»
key-approve = Перейти к «Одобрить»
key-reject = Перейти к «Отклонить»
key-next-case = Открыть следующее дело очереди
key-help = Эта страница
help-privacy = Персональные данные
help-privacy-text = Списки показывают только номера дел, учреждения и даты. Имя человека, дата рождения и документы открываются только с указанием причины, и каждое открытие записывается с вашим именем. Статистика скрывает малые числа.
review-title = Проверка текстов
review-in = Проверено ({ $lang })
review-count = { $reviewed } из { $total } текстов
col-language = Язык
col-reviewed = Проверено
col-unreviewed = Не проверено
review-override = { $count ->
    [one] { $n } текст не проверен. Чтобы опубликовать всё равно, укажите причину (она сохраняется в журнале аудита):
    [few] { $n } текста не проверены. Чтобы опубликовать всё равно, укажите причину (она сохраняется в журнале аудита):
    [many] { $n } текстов не проверено. Чтобы опубликовать всё равно, укажите причину (она сохраняется в журнале аудита):
   *[other] { $n } текста не проверено. Чтобы опубликовать всё равно, укажите причину (она сохраняется в журнале аудита):
}
review-refused = { $count ->
    [one] { $n } текст не проверен: укажите причину публикации без проверки.
    [few] { $n } текста не проверены: укажите причину публикации без проверки.
    [many] { $n } текстов не проверено: укажите причину публикации без проверки.
   *[other] { $n } текста не проверено: укажите причину публикации без проверки.
}
