//! The sentences an officer reads in an error's `reason`: in the language
//! of the call (a screening session's, else the vault's `set_language`),
//! without question ids, field dumps, CLI commands or operating-system
//! error numbers. The core's own messages (English, for logs and the CLI)
//! stay behind; where a fact matters (attempts left, a limit) it is said.

use std::cell::Cell;
use std::time::Duration;

use homeward_core::screening::{AnswerError, Lang};

thread_local! {
    /// The language of the call running on this thread, if one set it.
    static CALL_LANGUAGE: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Runs `f` with errors worded in `lang`, unless an outer call (a screening
/// session in its own language) already chose one.
pub(crate) fn in_language<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let outer = CALL_LANGUAGE.get();
    if outer.is_none() {
        CALL_LANGUAGE.set(Some(lang));
    }
    let out = f();
    CALL_LANGUAGE.set(outer);
    out
}

fn lang() -> Lang {
    CALL_LANGUAGE.get().unwrap_or(Lang::En)
}

/// Picks the sentence for the call's language.
pub(crate) fn say(ky: &str, ru: &str, en: &str) -> String {
    match lang() {
        Lang::Ky => ky,
        Lang::Ru => ru,
        Lang::En => en,
    }
    .to_string()
}

/// Whole seconds to wait, rounded up as `status()` rounds them, so a screen
/// counting down from either shows the same number.
pub(crate) fn secs_up(d: Duration) -> u64 {
    (d.as_millis() as u64).div_ceil(1000)
}

pub(crate) fn network() -> String {
    say(
        "Штаб менен байланыш жок. Интернетти текшерип, кийинчерээк кайталаңыз: эч нерсе жоголгон жок.",
        "Нет связи со штабом. Проверьте интернет и повторите позже: ничего не потеряно.",
        "Headquarters cannot be reached. Check the connection and try again later: nothing was lost.",
    )
}

pub(crate) fn not_enrolled() -> String {
    say(
        "Түзмөк штабда катталган эмес: адегенде каттоо кодун киргизиңиз.",
        "Устройство не зарегистрировано в штабе: сначала введите код регистрации.",
        "This device is not enrolled with headquarters: enter the enrolment code first.",
    )
}

pub(crate) fn already_enrolled() -> String {
    say(
        "Бул түзмөк штабда катталган: кайра каттоонун кереги жок.",
        "Это устройство уже зарегистрировано в штабе: повторная регистрация не нужна.",
        "This device is already enrolled with headquarters: there is nothing to enrol again.",
    )
}

pub(crate) fn cancelled() -> String {
    say(
        "Шайкештирүү токтотулду: жасалгандар сакталды.",
        "Синхронизация остановлена: сделанное сохранено.",
        "Sync stopped: what was done is kept.",
    )
}

pub(crate) fn out_of_range(field: &str) -> String {
    say(
        &format!("{field}: терс сан болбошу керек."),
        &format!("{field}: значение не может быть отрицательным."),
        &format!("{field} cannot be negative."),
    )
}

pub(crate) fn call_cancelled() -> String {
    say(
        "Аракет баштала электе токтотулду: эч нерсе өзгөргөн жок.",
        "Действие отменено до начала: ничего не изменено.",
        "Cancelled before it began: nothing was changed.",
    )
}

pub(crate) fn nothing_to_acknowledge() -> String {
    say(
        "Ырастай турган калыбына келтирүү отчёту жок.",
        "Нет отчёта о восстановлении, который нужно подтвердить.",
        "There is no restore report to acknowledge.",
    )
}

pub(crate) fn sync_running() -> String {
    say(
        "Шайкештирүү жүрүп жатат: бүткөнүн күтүңүз.",
        "Синхронизация уже идёт: дождитесь её окончания.",
        "A sync with headquarters is already running: wait for it to finish.",
    )
}

pub(crate) fn locked() -> String {
    say(
        "Кулпуланган: улантуу үчүн PIN-код менен ачыңыз.",
        "Заблокировано: разблокируйте PIN-кодом, чтобы продолжить.",
        "Locked: unlock with the PIN to go on.",
    )
}

pub(crate) fn closed() -> String {
    say(
        "Сейф жабылды: аны кайра ачыңыз.",
        "Хранилище закрыто: откройте его снова.",
        "The vault was closed: open it again.",
    )
}

pub(crate) fn wrong_pin(attempts: u32, wait: u64) -> String {
    match (lang(), wait) {
        (Lang::Ky, 0) => format!("PIN-код туура эмес. Дагы {attempts} аракет калды."),
        (Lang::Ky, w) => format!("PIN-код туура эмес. Дагы {attempts} аракет калды; {w} сек. күтүңүз."),
        (Lang::Ru, 0) => format!("Неверный PIN-код. Осталось попыток: {attempts}."),
        (Lang::Ru, w) => format!("Неверный PIN-код. Осталось попыток: {attempts}; подождите {w} с."),
        (Lang::En, 0) => format!("Wrong PIN. {attempts} attempt(s) left."),
        (Lang::En, w) => format!("Wrong PIN. {attempts} attempt(s) left; wait {w} s."),
    }
}

pub(crate) fn too_soon(wait: u64) -> String {
    match lang() {
        Lang::Ky => format!("{wait} сек. күтүп, кайра аракет кылыңыз (бул аракет эсептелген жок)."),
        Lang::Ru => format!("Подождите {wait} с и попробуйте снова (эта попытка не засчитана)."),
        Lang::En => format!("Wait {wait} s, then try again (this try was not counted)."),
    }
}

pub(crate) fn unlock_interrupted(wait: u64) -> String {
    match lang() {
        Lang::Ky => format!(
            "Акыркы кулпуну ачуу аракети аягына чыккан жок (колдонмо жабылды же ток өчтү) жана туура эмес аракет катары эсептелди. {wait} сек. күтүп, кайра аракет кылыңыз."
        ),
        Lang::Ru => format!(
            "Последняя попытка разблокировки была прервана (приложение закрылось или пропало питание) и засчитана как неудачная. Подождите {wait} с и попробуйте снова."
        ),
        Lang::En => format!(
            "The last unlock attempt was interrupted (the app closed or the power went off) and counts as a failed try. Wait {wait} s, then try again."
        ),
    }
}

pub(crate) fn wiped() -> String {
    say(
        "Өтө көп туура эмес аракет: маалымат өчүрүлдү жана калыбына келбейт. Жаңы сейф түзүп, кайра катталыңыз.",
        "Слишком много неверных попыток: данные стёрты и не восстановятся. Создайте новое хранилище и зарегистрируйтесь снова.",
        "Too many wrong tries: the data was wiped and cannot be recovered. Create a new vault and enrol again.",
    )
}

pub(crate) fn disk_full() -> String {
    say(
        "Эс тутум толду: орун бошотуп, кайталаңыз. Эч нерсе жарым-жартылай жазылган жок.",
        "Память заполнена: освободите место и повторите. Ничего не записано наполовину.",
        "The storage is full: free some space and try again. Nothing was half-written.",
    )
}

pub(crate) fn untrusted() -> String {
    say(
        "Сервердин күбөлүгү бул түзмөк ишенген күбөлүк эмес: байланыш кармалышы мүмкүн. Эч нерсе жөнөтүлгөн жок; жетекчиңизге кабарлаңыз.",
        "Сертификат сервера не тот, которому доверяет устройство: возможен перехват. Ничего не отправлено; сообщите руководителю.",
        "The server's certificate is not the one this device trusts: the connection may be intercepted; nothing was sent. Report it to your supervisor.",
    )
}

pub(crate) fn refused(status: u16) -> String {
    match status {
        401 | 403 => say(
            "Штаб бул сурамды четке какты (уруксат жок). Жетекчиңизге кабарлаңыз.",
            "Штаб отклонил запрос (нет доступа). Сообщите руководителю.",
            "Headquarters refused the request (not allowed). Tell your supervisor.",
        ),
        _ => say(
            "Штаб сурамды четке какты: код туура эмес же мөөнөтү өткөн болушу мүмкүн. Жаңы код сураңыз.",
            "Штаб отклонил запрос: возможно, код неверен или просрочен. Запросите новый код.",
            "Headquarters refused the request: the code may be wrong or expired. Ask for a new one.",
        ),
    }
}

pub(crate) fn bad_url() -> String {
    say(
        "Штабдын дареги туура эмес: каттоо кодун берген администратордон текшериңиз.",
        "Неверный адрес штаба: уточните у администратора, выдавшего код.",
        "The headquarters address is not valid: check it with the administrator who gave the code.",
    )
}

pub(crate) fn insecure() -> String {
    say(
        "Бул дарек корголгон эмес: штаб берген https дарегин колдонуңуз.",
        "Этот адрес не защищён: используйте адрес https, выданный штабом.",
        "This address is not secure: use the https address headquarters gave.",
    )
}

pub(crate) fn pin_required() -> String {
    say(
        "Корголгон дарек үчүн штабдын күбөлүгү (pin) керек: аны код менен кошо киргизиңиз.",
        "Для защищённого адреса нужен сертификат штаба (pin): введите его вместе с кодом.",
        "A secure address needs headquarters' certificate (the pin) given with the code: enter it too.",
    )
}

pub(crate) fn bad_pin() -> String {
    say(
        "Берилген күбөлүк (pin) туура эмес: аны администратордон текшериңиз.",
        "Указанный сертификат (pin) неверен: уточните его у администратора.",
        "The certificate (pin) given is not valid: check it with the administrator.",
    )
}

pub(crate) fn revoked() -> String {
    say(
        "Штаб бул түзмөктү өчүрдү: аны колдонууну токтотуп, жетекчиңизге кабарлаңыз.",
        "Штаб отозвал это устройство: прекратите работу с ним и сообщите руководителю.",
        "Headquarters revoked this device: stop using it and tell your supervisor.",
    )
}

pub(crate) fn device_wiped() -> String {
    say(
        "Штабдын буйругу менен түзмөктөгү маалымат өчүрүлдү.",
        "По приказу штаба данные на устройстве стёрты.",
        "On headquarters' order the data on this device was wiped.",
    )
}

/// An answer refused, said without the question's id (the screen shows
/// the sentence under that question).
pub(crate) fn answer(e: &AnswerError) -> String {
    match e {
        AnswerError::UnknownQuestion(_) | AnswerError::NotShown(_) => say(
            "Бул суроо азыр берилбейт (мурунку жооптор боюнча).",
            "Этот вопрос сейчас не задаётся (по предыдущим ответам).",
            "This question is not asked given the earlier answers.",
        ),
        AnswerError::WrongType { expected, .. } if lang() == Lang::En => format!("This question takes {expected}."),
        AnswerError::WrongType { .. } | AnswerError::UnknownOption { .. } => say(
            "Бул жооп бул суроого туура келбейт.",
            "Этот ответ не подходит к вопросу.",
            "This answer does not fit the question.",
        ),
        AnswerError::TooLong { max, .. } => match lang() {
            Lang::Ky => format!("Эң көп {max} белги."),
            Lang::Ru => format!("Не более {max} знаков."),
            Lang::En => format!("At most {max} characters."),
        },
        AnswerError::OutOfRange { min, max, .. } => match lang() {
            Lang::Ky => format!("{min} жана {max} ортосундагы сан жазыңыз."),
            Lang::Ru => format!("Введите число от {min} до {max}."),
            Lang::En => format!("Enter a number from {min} to {max}."),
        },
        // The domain says which: a date after the screening's, or no date at all.
        AnswerError::NotWhole { value, .. } => match lang() {
            // Kyrgyz and Russian write the decimal separator as a comma.
            Lang::Ky => format!("Бүтүн сан жазыңыз ({} эмес).", value.to_string().replace('.', ",")),
            Lang::Ru => format!("Введите целое число (не {}).", value.to_string().replace('.', ",")),
            Lang::En => format!("Enter a whole number (not {value})."),
        },
        AnswerError::BadDate { reason, .. } if reason.contains("after the screening date") => say(
            "Бул күн маектин күнүнөн кийин: туура күндү жазыңыз.",
            "Эта дата позже даты беседы: укажите верную дату.",
            "This date is after the screening date: enter the right date.",
        ),
        AnswerError::BadDate { reason, .. } => match lang() {
            Lang::Ky => "Бул күн туура эмес: күнүн, айын жана жылын текшериңиз.".into(),
            Lang::Ru => "Неверная дата: проверьте день, месяц и год.".into(),
            Lang::En => format!("This date is not valid: {reason}."),
        },
        AnswerError::Required(_) => {
            say("Бул суроого жооп керек.", "На этот вопрос нужен ответ.", "This question needs an answer.")
        }
        AnswerError::PrivateOnly(_) => say(
            "Бул суроо жеке маекте гана берилет: адегенде жеке маекке өтүңүз.",
            "Этот вопрос задаётся только в беседе наедине: сначала перейдите к ней.",
            "This question is asked only in the private interview: move there first.",
        ),
    }
}

pub(crate) fn storage() -> String {
    say(
        "Маалыматты окуу же жазуу мүмкүн болгон жок. Кайталаңыз; кайталанса, жетекчиңизге кабарлаңыз.",
        "Не удалось прочитать или записать данные. Повторите; если повторится, сообщите руководителю.",
        "The data could not be read or written. Try again; if it happens again, tell your supervisor.",
    )
}

pub(crate) fn incomplete(missing: usize) -> String {
    match lang() {
        Lang::Ky => format!("Милдеттүү {missing} суроого жооп жок."),
        Lang::Ru => format!("Без ответа обязательных вопросов: {missing}."),
        Lang::En => format!("{missing} required question(s) are unanswered."),
    }
}

/// Why a certificate was refused, in the call's language, for the border
/// guard at the barrier: no codec names (base45), no key ids.
pub(crate) fn verification(e: &homeward_core::certificate::verify::VerifyError) -> String {
    use homeward_core::certificate::barcode::DecodeError as D;
    use homeward_core::certificate::verify::VerifyError as V;
    match e {
        V::Decode(D::Empty) => say("Эч нерсе окулган жок.", "Ничего не считано.", "Nothing was read."),
        V::Decode(D::Oversized { .. } | D::WrongPrefix) => say(
            "Бул кайтуу күбөлүгүнүн коду эмес.",
            "Это не код свидетельства на возвращение.",
            "This is not a Certificate of Return code.",
        ),
        V::Decode(D::Base45 | D::Compression | D::Malformed { .. }) => say(
            "Код бузулган же толук окулган жок.",
            "Код повреждён или считан не полностью.",
            "The code is damaged or was not read in full.",
        ),
        V::Decode(D::Version { .. }) => say(
            "Күбөлүктүн бул версиясын тиркеме тааныбайт: тиркемени жаңыртыңыз.",
            "Эта версия свидетельства неизвестна приложению: обновите приложение.",
            "The app does not know this certificate version: update the app.",
        ),
        V::NoTrustList => say(
            "Түзмөктө ишенимдүү ачкычтардын тизмеси жок: штаб менен шайкештириңиз.",
            "На устройстве нет списка доверенных ключей: выполните синхронизацию со штабом.",
            "This device has no list of trusted keys: sync with headquarters.",
        ),
        V::TrustListTooOld { age_hours, limit_hours } => match lang() {
            Lang::Ky => format!(
                "Ишенимдүү ачкычтардын тизмеси эскирген ({age_hours} саат, чеги {limit_hours} саат): текшерүүдөн мурун шайкештириңиз."
            ),
            Lang::Ru => format!(
                "Список доверенных ключей устарел ({age_hours} ч, допустимо {limit_hours} ч): выполните синхронизацию перед проверкой."
            ),
            Lang::En => format!(
                "The list of trusted keys is {age_hours} hours old, past the {limit_hours}-hour limit: sync before checking."
            ),
        },
        V::RevocationListTooOld { age_hours, limit_hours } => match lang() {
            Lang::Ky => format!(
                "Жокко чыгарылган күбөлүктөрдүн тизмеси эскирген ({age_hours} саат, чеги {limit_hours} саат): текшерүүдөн мурун шайкештириңиз."
            ),
            Lang::Ru => format!(
                "Список отозванных свидетельств устарел ({age_hours} ч, допустимо {limit_hours} ч): выполните синхронизацию перед проверкой."
            ),
            Lang::En => format!(
                "The list of revoked certificates is {age_hours} hours old, past the {limit_hours}-hour limit: sync before checking."
            ),
        },
        V::UnknownSigner { .. } => say(
            "Бул түзмөк ишенбеген ачкыч менен кол коюлган: жасалма болушу мүмкүн.",
            "Подписано ключом, которому это устройство не доверяет: возможно, подделка.",
            "Signed by a key this device does not trust: it may be forged.",
        ),
        V::BadSignature => say(
            "Кол тамга дал келбейт: күбөлүк жасалма же өзгөртүлгөн.",
            "Подпись не совпадает: свидетельство подделано или изменено.",
            "The signature does not match: the certificate is forged or altered.",
        ),
        V::SignerNotValid { issued } => match lang() {
            Lang::Ky => format!("Кол коюлган ачкыч берилген күнү ({issued}) жарактуу эмес болчу."),
            Lang::Ru => format!("Ключ, которым оно подписано, не действовал на дату выдачи ({issued})."),
            Lang::En => format!("The key that signed it was not valid on the issue date ({issued})."),
        },
        V::RevokedSigner => say(
            "Кол коюлган ачкыч жокко чыгарылган.",
            "Ключ, которым оно подписано, отозван.",
            "The key that signed it was revoked.",
        ),
        V::Revoked { number } => match lang() {
            Lang::Ky => format!("{number} күбөлүгү жокко чыгарылган."),
            Lang::Ru => format!("Свидетельство {number} отозвано."),
            Lang::En => format!("Certificate {number} was revoked."),
        },
        V::Expired { expiry } => match lang() {
            Lang::Ky => format!("Күбөлүктүн мөөнөтү {expiry} бүткөн."),
            Lang::Ru => format!("Срок действия свидетельства истёк {expiry}."),
            Lang::En => format!("The certificate expired on {expiry}."),
        },
        V::NotYetValid { issued } => match lang() {
            Lang::Ky => format!("Күбөлүк {issued} баштап гана жарактуу."),
            Lang::Ru => format!("Свидетельство действует только с {issued}."),
            Lang::En => format!("The certificate is not valid before {issued}."),
        },
        V::AlreadyUsed { crossing_point, date } => match lang() {
            Lang::Ky => format!("Бул күбөлүк менен мурун эле кирилген: {crossing_point}, {date}."),
            Lang::Ru => format!("По этому свидетельству уже был въезд: {crossing_point}, {date}."),
            Lang::En => format!("The certificate was already used to enter at {crossing_point} on {date}."),
        },
        V::BadDates => say(
            "Күбөлүктөгү даталар дал келбейт: аны өзгөртүлгөн деп эсептеңиз.",
            "Даты в свидетельстве не согласуются: считайте его изменённым.",
            "The certificate's dates do not agree: treat it as altered.",
        ),
    }
}

/// A warning on a valid certificate, in the call's language.
pub(crate) fn verify_warning(w: &homeward_core::certificate::verify::VerifyWarning) -> String {
    use homeward_core::certificate::verify::VerifyWarning as W;
    match w {
        W::StaleTrustList { age_hours } => match lang() {
            Lang::Ky => {
                format!("Ишенимдүү ачкычтардын тизмесине {age_hours} саат болду: жакында штаб менен шайкештириңиз.")
            }
            Lang::Ru => format!("Списку доверенных ключей {age_hours} ч: скоро выполните синхронизацию со штабом."),
            Lang::En => format!("The list of trusted keys is {age_hours} hours old: sync with headquarters soon."),
        },
        W::StaleRevocationList { age_hours } => match lang() {
            Lang::Ky => format!(
                "Жокко чыгарылган күбөлүктөрдүн тизмесине {age_hours} саат болду: жакында штаб менен шайкештириңиз."
            ),
            Lang::Ru => {
                format!("Списку отозванных свидетельств {age_hours} ч: скоро выполните синхронизацию со штабом.")
            }
            Lang::En => {
                format!("The list of revoked certificates is {age_hours} hours old: sync with headquarters soon.")
            }
        },
        W::NoRevocationList => say(
            "Түзмөктө жокко чыгарылган күбөлүктөрдүн тизмеси жок: жакында штаб менен шайкештириңиз.",
            "На устройстве нет списка отозванных свидетельств: скоро выполните синхронизацию со штабом.",
            "No list of revoked certificates on this device: sync with headquarters soon.",
        ),
    }
}

pub(crate) fn check_in_overdue(days: i64, limit: u32) -> String {
    match lang() {
        Lang::Ky => format!(
            "Түзмөк штабга {days} күндөн бери кошулган жок (чеги {limit} күн): шайкештештирүүгө же штабдан кулпуну ачуу кодун алып киргизүүгө чейин жаңы иш жасалбайт."
        ),
        Lang::Ru => format!(
            "Устройство не связывалось со штабом {days} дн. (предел {limit}): новая работа недоступна, пока вы не синхронизируетесь или не введёте код разблокировки из штаба."
        ),
        Lang::En => format!(
            "This device has not reached headquarters for {days} days (the limit is {limit}): new work waits until it syncs or you enter an unlock code from headquarters."
        ),
    }
}

pub(crate) fn bad_unlock_code(wait: u64) -> String {
    match (lang(), wait) {
        (Lang::Ky, 0) => "Кулпуну ачуу коду туура эмес, мурда колдонулган же бул түзмөк үчүн эмес. Кодду штабдан кайра текшериңиз.".into(),
        (Lang::Ky, w) => format!("Кулпуну ачуу коду туура эмес, мурда колдонулган же бул түзмөк үчүн эмес. Кийинки кодду {w} сек. кийин киргизсеңиз болот."),
        (Lang::Ru, 0) => "Код разблокировки неверный, уже использован или не для этого устройства. Уточните код в штабе.".into(),
        (Lang::Ru, w) => format!("Код разблокировки неверный, уже использован или не для этого устройства. Следующий код можно ввести через {w} с."),
        (Lang::En, 0) => "That unlock code is wrong, already used or not for this device. Check the code with headquarters.".into(),
        (Lang::En, w) => format!("That unlock code is wrong, already used or not for this device. The next code can be tried in {w} s."),
    }
}

pub(crate) fn unlock_code_too_soon(wait: u64) -> String {
    match lang() {
        Lang::Ky => format!(
            "Туура эмес коддор көп болду: кийинки кодду {wait} сек. кийин киргизиңиз (бул аракет эсептелген жок)."
        ),
        Lang::Ru => {
            format!("Слишком много неверных кодов: следующий можно ввести через {wait} с (эта попытка не засчитана).")
        }
        Lang::En => format!("Too many wrong codes: the next one can be tried in {wait} s (this try was not counted)."),
    }
}

pub(crate) fn photo(e: &homeward_core::certificate::photo::PhotoError) -> String {
    use homeward_core::certificate::photo::PhotoError as P;
    match e {
        P::NotAnImage => say(
            "Сүрөт JPEG же PNG эмес. Кайра тартыңыз.",
            "Фото не в формате JPEG или PNG. Сделайте снимок снова.",
            "The photo is not a JPEG or PNG image. Take it again.",
        ),
        P::Empty => say(
            "Сүрөт бош. Кайра тартыңыз.",
            "Фото пустое. Сделайте снимок снова.",
            "The photo is empty. Take it again.",
        ),
        P::TooLarge { max, .. } => {
            let mb = max / (1024 * 1024);
            say(
                &format!("Сүрөт өтө чоң (эң көп {mb} МБ). Кичирээк тартыңыз."),
                &format!("Фото слишком большое (не более {mb} МБ). Снимите в меньшем размере."),
                &format!("The photo is too large (at most {mb} MB). Take it at a smaller size."),
            )
        }
        P::Vault(_) => storage(),
    }
}
