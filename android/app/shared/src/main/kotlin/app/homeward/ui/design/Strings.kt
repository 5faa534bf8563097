package app.homeward.ui.design

import androidx.compose.runtime.Composable
import androidx.compose.runtime.compositionLocalOf
import app.homeward.ui.core.Lang

/**
 * The app's own words: buttons and titles only. Every rule, question,
 * verdict, reason and explanation comes from the core in the session's
 * language; this table holds what the core does not say (yet).
 */
class Strings(val lang: Lang) {
    private fun t(ky: String, ru: String, en: String) = when (lang) {
        Lang.KY -> ky
        Lang.RU -> ru
        Lang.EN -> en
    }

    val appName = "Homeward"
    val createTitle = t("Жаңы сейф", "Новое хранилище", "New vault")
    val createHint = t(
        "Бул телефондогу маалыматты коргой турган PIN-кодду тандаңыз (кеминде 4 сан).",
        "Выберите PIN-код, который защищает данные на этом телефоне (не менее 4 цифр).",
        "Choose the PIN that protects the data on this phone (at least 4 digits).",
    )
    val unlockTitle = t("Кулпуну ачуу", "Разблокировать", "Unlock")
    val pin = t("PIN-код", "PIN-код", "PIN")
    val pinAgain = t("PIN-кодду кайталаңыз", "Повторите PIN-код", "PIN again")
    val wrongPin = t("Туура эмес PIN-код", "Неверный PIN-код", "Wrong PIN")
    val pinsDiffer = t("PIN-коддор дал келбейт", "PIN-коды не совпадают", "The PINs do not match")
    val unlock = t("Ачуу", "Открыть", "Unlock")
    val create = t("Түзүү", "Создать", "Create")
    fun attemptsLeft(n: Int) = t("Калган аракет: $n", "Осталось попыток: $n", "Attempts left: $n")
    fun waitSeconds(s: Long) = t("Кайра аракет: $s сек. кийин", "Следующая попытка через $s с", "Try again in $s s")
    val wipedTitle = t("Сейф өчүрүлдү", "Хранилище стёрто", "Vault wiped")
    val wipedBody = t(
        "Өтө көп туура эмес аракет же штабдын буйругу. Маалымат калыбына келбейт. Жаңы сейф түзүп, кайра катталыңыз.",
        "Слишком много неверных попыток или приказ штаба. Данные не восстановить. Создайте новое хранилище и зарегистрируйтесь снова.",
        "Too many wrong tries, or headquarters' order. The data cannot be recovered. Create a new vault and enrol again.",
    )
    val newVault = t("Жаңы сейф", "Новое хранилище", "New vault")
    val working = t("Күтө туруңуз…", "Подождите…", "Please wait…")

    val home = t("Башкы бет", "Главная", "Home")
    val newScreening = t("Жаңы сурамжылоо", "Новое интервью", "New screening")
    val verifyCertificate = t("Күбөлүктү текшерүү", "Проверить свидетельство", "Verify certificate")
    val newRequest = t("Кайтуу күбөлүгүнө арыз", "Заявка на свидетельство", "Certificate request")
    val requests = t("Арыздар", "Заявки", "Requests")
    val sync = t("Шайкештирүү", "Синхронизация", "Sync")
    val settings = t("Жөндөөлөр", "Настройки", "Settings")
    val enrol = t("Катталуу", "Регистрация", "Enrolment")
    val resume = t("Улантуу", "Продолжить", "Resume")
    val lock = t("Кулпулоо", "Заблокировать", "Lock")
    fun drafts(n: Int) = t("Аяктала элек: $n", "Незавершённые: $n", "Drafts to finish: $n")
    fun checkInDays(n: Int) = t("Штаб менен байланышка чейин: $n күн", "До связи со штабом: $n дн.", "Check-in due in $n days")
    val checkInOverdue = t(
        "Штаб менен байланыш мөөнөтү өттү: жаңы иш кулпуланган. Шайкештириңиз же штабдан кулпуну ачуу кодун сураңыз.",
        "Срок связи со штабом истёк: новая работа заблокирована. Синхронизируйтесь или запросите код разблокировки в штабе.",
        "Check-in overdue: new work is locked. Sync, or ask headquarters for an unlock code.",
    )
    val unlockCodeTitle = t("Кулпуну ачуу коду", "Код разблокировки", "Unlock code")
    val unlockCodeExplain = t(
        "Байланыш жок болсо, штаб (телефон же радио аркылуу) 10 белгиден турган бир жолку код берет. Ал түзмөктү бир нече күнгө ачат; кийинки байланышта шайкештириңиз.",
        "Если связи нет, штаб (по телефону или рации) назовёт одноразовый код из 10 знаков. Он открывает устройство на несколько дней; при первой связи синхронизируйтесь.",
        "With no link, headquarters reads you (by phone or radio) a one-time code of 10 characters. It opens the device for a few days; sync at the first link.",
    )
    val unlockCode = t("Код (мисалы, K7MPQ-2XW9A)", "Код (например, K7MPQ-2XW9A)", "Code (e.g. K7MPQ-2XW9A)")
    fun thisDevice(id: String) = t("Штабга айтыңыз, бул түзмөк: $id", "Назовите штабу это устройство: $id", "Tell headquarters this device: $id")
    val unlockCodeSubmit = t("Кодду киргизүү", "Ввести код", "Enter code")
    val unlockCodeDone = t(
        "Түзмөк бир нече күнгө ачылды. Байланыш пайда болгондо шайкештириңиз.",
        "Устройство открыто на несколько дней. Синхронизируйтесь, как только появится связь.",
        "The device is open for a few days. Sync as soon as there is a link.",
    )
    val notEnrolled = t("Түзмөк катталган эмес", "Устройство не зарегистрировано", "Device not enrolled")

    val yes = t("Ооба", "Да", "Yes")
    val no = t("Жок", "Нет", "No")
    val unknown = t("Белгисиз", "Неизвестно", "Unknown")
    val skip = t("Өткөрүү", "Пропустить", "Skip")
    val back = t("Артка", "Назад", "Back")
    val next = t("Кийинки", "Далее", "Next")
    val save = t("Сактоо", "Сохранить", "Save")
    fun questionOf(p: Int, total: Int) = t("Суроо $p / $total", "Вопрос $p из $total", "Question $p of $total")
    val privateInterview = t("Жеке маек", "Личная беседа", "Private interview")
    val privateInterviewBody = t(
        "Калган суроолор купуя: адамды кезектен алыс, жеке жерге алып барыңыз.",
        "Остальные вопросы деликатные: проведите человека в отдельное помещение.",
        "The remaining questions are sensitive: take the person somewhere private.",
    )
    val startPrivate = t("Жеке маекти баштоо", "Начать личную беседу", "Start private interview")
    val seeOutcome = t("Жыйынтык", "Итог", "See outcome")
    val language = t("Тил", "Язык", "Language")

    val outcome = t("Жыйынтык", "Итог", "Outcome")
    val why = t("Эмне үчүн", "Почему", "Why")
    val actions = t("Аткарылуучу иштер", "Что сделать", "What to do")
    val legalBasis = t("Укуктук негиз", "Правовое основание", "Legal basis")
    val provisional = t("Алдын ала (аяктала элек)", "Предварительно (не завершено)", "Provisional (not final)")
    val finalise = t("Аяктоо", "Завершить", "Finalise")
    val finalised = t("Аякталды", "Завершено", "Final")
    val referralConsent = t(
        "Адам өнөктөшкө (IOM) жолдомого макул",
        "Человек согласен на направление к партнёру (МОМ)",
        "The person consents to referral to a partner (IOM)",
    )
    val consentRecorded = t("Макулдук катталды", "Согласие записано", "Consent recorded")
    val exploitation = t("Көрсөтүлгөн эксплуатациянын түрлөрү", "Указанные формы эксплуатации", "Forms of exploitation indicated")
    val unlockInterrupted = t(
        "Акыркы ачуу аракети үзүлүп калды (телефон өчүп же колдонмо жабылып калды): ал бир аракет катары эсептелди.",
        "Последняя попытка разблокировки прервалась (телефон выключился или приложение закрылось): она засчитана как попытка.",
        "The last unlock was cut off (the phone switched off or the app closed): it counted as a try.",
    )
    val partners = t("Кимге кайрылуу керек", "Куда обратиться", "Who to call")
    val consentTitle = t("Жолдомого макулдук", "Согласие на направление", "Consent to referral")

    val scanHint = t(
        "Камераны QR-кодго багыттаңыз. Окулбаса, кодду кол менен киргизиңиз.",
        "Наведите камеру на QR-код. Если не читается, введите код вручную.",
        "Point the camera at the QR code. If it does not read, type the code.",
    )
    val manualEntry = t("Кодду кол менен киргизүү", "Ввести код вручную", "Enter the code by hand")
    val check = t("Текшерүү", "Проверить", "Check")
    val valid = t("ЖАРАКТУУ", "ДЕЙСТВИТЕЛЕН", "VALID")
    val refused = t("ЖАРАКСЫЗ", "ОТКАЗ", "REFUSED")
    /** What to do next, per refusal: the core's explanation follows it. */
    fun refusalAdvice(r: app.homeward.ui.core.Refusal) = when (r) {
        app.homeward.ui.core.Refusal.UNREADABLE -> t("Код окулбады. Кайра сканерлеңиз же кол менен киргизиңиз.", "Код не прочитан. Сканируйте снова или введите вручную.", "The code did not read. Scan again or type it.")
        app.homeward.ui.core.Refusal.BAD_SIGNATURE -> t("Жасалма же өзгөртүлгөн. Киргизбеңиз; жетекчиге кабарлаңыз.", "Подделка или изменён. Не пропускайте; сообщите старшему.", "Forged or altered. Do not admit; call your supervisor.")
        app.homeward.ui.core.Refusal.REVOKED -> t("Күбөлүк жокко чыгарылган. Киргизбеңиз.", "Свидетельство отозвано. Не пропускайте.", "The certificate was revoked. Do not admit.")
        app.homeward.ui.core.Refusal.EXPIRED -> t("Мөөнөтү өткөн же али күчүнө кире элек.", "Срок действия истёк или ещё не начался.", "Expired, or not valid yet.")
        app.homeward.ui.core.Refusal.ALREADY_USED -> t("Бул күбөлүк менен кирүү мурун катталган.", "По этому свидетельству въезд уже записан.", "An entry was already recorded with this certificate.")
        app.homeward.ui.core.Refusal.NO_TRUST_LIST, app.homeward.ui.core.Refusal.LIST_TOO_OLD ->
            t("Текшерүүгө болбойт: адегенде штаб менен шайкештириңиз.", "Проверить нельзя: сначала синхронизируйтесь со штабом.", "Cannot check: sync with headquarters first.")
        app.homeward.ui.core.Refusal.OTHER -> t("Киргизбеңиз; жетекчиге кабарлаңыз.", "Не пропускайте; сообщите старшему.", "Do not admit; call your supervisor.")
    }
    val recordEntry = t("Кирүүнү каттоо", "Записать въезд", "Record entry")
    val entryRecorded = t("Кирүү катталды", "Въезд записан", "Entry recorded")
    val scanAnother = t("Башкасын текшерүү", "Проверить другой", "Check another")
    fun listAge(h: Long) = t("Ишеним тизмеси: $h саат мурун", "Список доверия: $h ч назад", "Trust list: $h h old")
    val holder = t("Ээси", "Владелец", "Holder")
    val born = t("Туулган күнү", "Дата рождения", "Born")
    val expires = t("Мөөнөтү", "Действует до", "Valid until")
    val issuedBy = t("Берген мекеме", "Выдано", "Issued by")

    val surname = t("Фамилиясы", "Фамилия", "Surname")
    val givenName = t("Аты", "Имя", "Given name")
    val patronymic = t("Атасынын аты", "Отчество", "Patronymic")
    val dateOfBirth = t("Туулган күнү (ЖЖЖЖ-АА-КК)", "Дата рождения (ГГГГ-ММ-ДД)", "Date of birth (YYYY-MM-DD)")
    val placeOfBirth = t("Туулган жери", "Место рождения", "Place of birth")
    val sex = t("Жынысы (M / F / X)", "Пол (M / F / X)", "Sex (M / F / X)")
    val oldPassport = t("Эски паспорттун номери", "Номер старого паспорта", "Old passport number")
    val route = t("Каттам", "Маршрут", "Route")
    val travelDate = t("Сапар күнү (ЖЖЖЖ-АА-КК)", "Дата поездки (ГГГГ-ММ-ДД)", "Travel date (YYYY-MM-DD)")
    val assessment = t("Кызматкердин баасы", "Оценка сотрудника", "Officer's assessment")
    val saveDraft = t("Долбоор катары сактоо", "Сохранить черновик", "Save draft")
    val submit = t("Жөнөтүү", "Отправить", "Submit")
    val submitted = t("Арыз жөнөтүлдү: кийинки шайкештирүүдө штабга барат", "Заявка отправлена: уйдёт в штаб при следующей синхронизации", "Request submitted: it goes to headquarters with the next sync")
    fun fixErrors(n: Int) = t("Оңдоо керек: $n талаа", "Исправьте полей: $n", "Fix $n fields")
    /** A case's state (the core's CaseState name) in words. */
    fun caseState(state: String) = when (state) {
        "DRAFT" -> t("Долбоор", "Черновик", "Draft")
        "SUBMITTED" -> t("Жөнөтүлдү", "Отправлена", "Submitted")
        "MORE_INFORMATION_REQUESTED" -> t("Кошумча маалымат суралды", "Запрошены сведения", "More information requested")
        "IDENTITY_VERIFIED" -> t("Инсандыгы текшерилди", "Личность подтверждена", "Identity verified")
        "APPROVED" -> t("Жактырылды", "Одобрена", "Approved")
        "REJECTED" -> t("Четке кагылды", "Отклонена", "Rejected")
        "ISSUED" -> t("Күбөлүк берилди", "Свидетельство выдано", "Certificate issued")
        "ENTERED" -> t("Өлкөгө кирди", "Въезд состоялся", "Entered the country")
        "EXPIRED" -> t("Мөөнөтү өттү", "Срок истёк", "Expired")
        "CANCELLED" -> t("Жокко чыгарылды", "Отменена", "Cancelled")
        "REVOKED" -> t("Кайтарылып алынды", "Отозвано", "Revoked")
        else -> state
    }
    val noRequests = t("Арыз жок", "Заявок нет", "No requests yet")
    val conflict = t("Карама-каршылык", "Конфликт", "Conflict")
    val issue = t("Күбөлүк берүү", "Выдать свидетельство", "Issue certificate")
    val certificate = t("Кайтуу күбөлүгү", "Свидетельство на возвращение", "Certificate of Return")
    val showFullScreen = t("Чек арада көрсөтүңүз", "Покажите на границе", "Show at the border")

    val syncNow = t("Азыр шайкештирүү", "Синхронизировать", "Sync now")
    val cancel = t("Жокко чыгаруу", "Отмена", "Cancel")
    fun sent(n: Long, b: Long) = t("Жөнөтүлдү: $n ($b байт)", "Отправлено: $n ($b байт)", "Sent: $n ($b bytes)")
    fun received(n: Long, b: Long) = t("Алынды: $n ($b байт)", "Получено: $n ($b байт)", "Received: $n ($b bytes)")
    val syncDone = t("Шайкештирүү аяктады", "Синхронизация завершена", "Sync finished")
    val syncCancelled = t("Токтотулду: жасалгандар сакталды", "Остановлено: сделанное сохранено", "Stopped: what was done is kept")
    val rollback = t(
        "Бул сейф эски көчүрмөдөн калыбына келтирилген: штабга билдирилди.",
        "Хранилище восстановлено из старой копии: штаб уведомлён.",
        "This vault was restored from an older copy: headquarters was told.",
    )

    val serverUrl = t("Штабдын дареги (https://…)", "Адрес штаба (https://…)", "Headquarters address (https://…)")
    val enrolmentCode = t("Каттоо коду", "Код регистрации", "Enrolment code")
    val authority = t("Штабдын TLS күбөлүгү (PEM)", "Сертификат TLS штаба (PEM)", "Headquarters' TLS authority (PEM)")
    val deviceLabel = t("Түзмөктүн аты", "Имя устройства", "Device name")
    fun enrolled(office: String) = t("Катталды: $office", "Зарегистрировано: $office", "Enrolled: $office")

    val retention = t("Сактоо мөөнөтү (күн)", "Срок хранения (дней)", "Retention (days)")
    val lockTimeout = t("Фондо кулпулоо (мүнөт)", "Блокировка в фоне (мин)", "Lock in background after (minutes)")
    val duress = t("Коркунуч PIN-коду", "PIN-код под принуждением", "Duress PIN")
    val duressExplain = t(
        "Коркунуч PIN-коду киргизилсе, сейф эскертүүсүз өчүрүлөт. Аны унутпаңыз жана эч кимге айтпаңыз; кадимки PIN-коддон айырмалансын.",
        "Если ввести PIN-код под принуждением, хранилище будет стёрто без предупреждения. Не забудьте его и никому не говорите; он должен отличаться от обычного.",
        "Entering the duress PIN wipes the vault without a warning. Remember it, tell no one, and make it unlike your PIN.",
    )
    val currentPin = t("Азыркы PIN-код", "Текущий PIN-код", "Current PIN")
    val changePinTitle = t("PIN-кодду өзгөртүү", "Смена PIN-кода", "Change PIN")
    val newPin = t("Жаңы PIN-код", "Новый PIN-код", "New PIN")
    val newPinAgain = t("Жаңы PIN-кодду кайталаңыз", "Повторите новый PIN-код", "New PIN again")
    val changePin = t("PIN-кодду өзгөртүү", "Сменить PIN-код", "Change PIN")
    fun restoreLost(n: Int) = t(
        "Бул түзмөк эски көчүрмөдөн калыбына келтирилген. Көчүрмөдөн кийин жасалган $n жазуу штабда бар:",
        "Устройство восстановлено из старой копии. Записей в штабе, сделанных после копии: $n.",
        "This device was restored from an older copy. Records made after the copy that headquarters holds: $n.",
    )
    val lostCase = t("Арыз", "Заявка", "Request")
    val lostScreening = t("Сурамжылоо", "Опрос", "Screening")
    val lostRecovered = t("түзмөккө кайтты", "вернулась на устройство", "back on this device")
    val lostOnlyAtHq = t("штабда гана", "только в штабе", "only at headquarters")
    val restoreRead = t("Окудум, супервайзерге айтам", "Прочитал, сообщу руководителю", "Read; I will tell my supervisor")
    val crossingPointTitle = t("Өткөрүү пункту", "Пункт пропуска", "Crossing point")
    val chooseCrossingPoint = t(
        "Бул түзмөк иштеген пунктту тандаңыз: сурамжылоолор жана кирүүлөр ошол жерде катталат.",
        "Выберите пункт, где работает это устройство: опросы и въезды записываются на него.",
        "Choose where this device works: screenings and entries are recorded there.",
    )
    val takePhoto = t("Арыз берүүчүнү сүрөткө тартуу", "Сфотографировать заявителя", "Take the applicant's photo")
    val retakePhoto = t("Кайра тартуу", "Переснять", "Take it again")
    val photoTaken = t("Сүрөт тартылды: арыз менен сакталат (түзмөктө гана, шифрленген)", "Фото сделано: сохранится с заявкой (только на устройстве, в зашифрованном виде)", "Photo taken: kept with the request (on this device only, encrypted)")
    val removePhoto = t("Сүрөттү өчүрүү", "Удалить фото", "Remove the photo")
    val setDuress = t("Коркунуч PIN-кодун коюу", "Задать PIN-код под принуждением", "Set duress PIN")
    val saved = t("Сакталды", "Сохранено", "Saved")

    val forward = t("Байланышсыз өткөрүү", "Передача без связи", "Hand over without a link")
    fun waitingToSync(n: Int) = t("Шайкештирүүнү күткөн жазуулар: $n", "Записей ждут синхронизации: $n", "Records waiting to sync: $n")
    val showFrames = t("QR-коддор менен берүү", "Передать QR-кодами", "Hand over as QR codes")
    fun frameOf(shown: Int, n: Int) = t("Код $shown / $n", "Код $shown из $n", "Code $shown of $n")
    val holdToCamera = t(
        "Экранды алып баруучунун камерасына кармап туруңуз: анын телефону баарын алганын айтмайынча.",
        "Держите экран перед камерой того, кто повезёт, пока его телефон не скажет, что получил всё.",
        "Hold this screen to the carrier's camera until their phone says it has everything.",
    )
    val stopShowing = t("Бүттү", "Готово", "Done")
    val fromColleague = t("Кесиптештин жазууларын алып баруу", "Везти записи коллеги", "Carry a colleague's records")
    val readFrames = t("Кесиптештин коддорун окуу", "Считать коды коллеги", "Read a colleague's codes")
    val importFile = t("Файлдан алуу", "Загрузить файл", "Import a file")
    fun framesRead(r: Int, n: Int) = t("Окулган коддор: $r / болжол менен $n", "Считано кодов: $r из примерно $n", "Codes read: $r of about $n")
    val startAgain = t("Кайра баштоо", "Начать заново", "Start again")
    fun bundleTaken(n: Int) = t(
        "Алынды: $n жазуу. Кийинки шайкештирүүдө штабга кетет.",
        "Принято записей: $n. Они уйдут в штаб при вашей следующей синхронизации.",
        "Records taken: $n. They go to headquarters with your next sync.",
    )
    fun receiptsApplied(n: Int) = t(
        "Штабдын $n тастыктамасы кабыл алынды: ал жазуулар чыгыш кутусунан кетти.",
        "Принято подтверждений штаба: $n. Эти записи ушли из исходящих.",
        "Headquarters' receipts applied: $n. Those records left the outbox.",
    )
    val carrying = t("Кесиптештер үчүн алып жүргөнүм", "Везу для коллег", "Carried for colleagues")
    fun carriedPending(n: Int) = t("$n жазуу: шайкештирүүнү күтөт", "Записей: $n, ждут синхронизации", "Records: $n, waiting for your sync")
    fun carriedDelivered(n: Int) = t("$n жазуу: штабга жеткирилди", "Записей: $n, доставлены в штаб", "Records: $n, delivered to headquarters")
    fun carriedRefused(n: Int) = t("$n жазуу: штаб кабыл алган жок", "Записей: $n, штаб отказал", "Records: $n, refused by headquarters")
}

val LocalStrings = compositionLocalOf { Strings(Lang.EN) }

val strings: Strings @Composable get() = LocalStrings.current
