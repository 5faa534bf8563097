//! The outcome put into words for the officer, in Kyrgyz, Russian or
//! English: the verdict, why (the answers behind each element), and what to
//! do, each action's legal basis in the same language. Shells show this as
//! it is; they never re-derive it. Terms follow docs/GLOSSARY.md.

use serde::Serialize;

use super::answers::{display, Answers};
use super::checklist::Checklist;
use super::evaluate::{Evidence, ScreeningOutcome, Verdict};
use super::template::{text, AnswerType, Element, Exploitation, Lang, Question};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub verdict: String,
    pub verdict_detail: String,
    /// Shown when the child rule applied.
    pub child_note: Option<String>,
    pub consent_note: Option<String>,
    pub exploitation: Vec<String>,
    /// Per element: its name and the answers behind it.
    pub why: Vec<ElementWhy>,
    pub missing: Vec<String>,
    pub actions: Vec<ActionText>,
    /// A reminder that this is a recommendation, not a legal finding.
    pub disclaimer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementWhy {
    pub element: String,
    pub answers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionText {
    pub text: String,
    pub basis: String,
}

fn pick(lang: Lang, ky: &str, ru: &str, en: &str) -> String {
    match lang {
        Lang::Ky => ky,
        Lang::Ru => ru,
        Lang::En => en,
    }
    .to_string()
}

pub fn verdict_text(v: Verdict, lang: Lang) -> String {
    match v {
        Verdict::PresumedVictim => pick(
            lang,
            "Болжолдуу түрдө адам сатуунун курмандыгы",
            "Предполагаемая жертва торговли людьми",
            "Presumed victim of trafficking",
        ),
        Verdict::FurtherInterview => pick(
            lang,
            "Белгилер бар: кошумча маек өткөрүңүз",
            "Есть признаки: проведите дополнительную беседу",
            "Indicators present: interview further",
        ),
        Verdict::NoIndicators => pick(lang, "Белгилер жок", "Признаков нет", "No indicators"),
    }
}

pub fn element_text(e: Element, lang: Lang) -> String {
    match e {
        Element::Act => pick(lang, "Аракет", "Действие", "Act"),
        Element::Means => pick(lang, "Ыкма", "Способ", "Means"),
        Element::Purpose => pick(lang, "Максат (эксплуатация)", "Цель (эксплуатация)", "Purpose (exploitation)"),
        Element::Control => pick(lang, "Көзөмөлдүн белгилери", "Признаки контроля", "Signs of control"),
        Element::Child => pick(lang, "Балага тиешелүү белгилер", "Признаки, касающиеся ребёнка", "Child-related signs"),
    }
}

pub fn exploitation_text(x: Exploitation, lang: Lang) -> String {
    match x {
        Exploitation::SexualExploitation => {
            pick(lang, "сексуалдык эксплуатация", "сексуальная эксплуатация", "sexual exploitation")
        }
        Exploitation::ForcedLabour => pick(
            lang,
            "мажбурлап иштетүү же кызмат көрсөтүүгө мажбурлоо",
            "принудительный труд или услуги",
            "forced labour or services",
        ),
        Exploitation::Slavery => pick(
            lang,
            "кулчулук же кулчулукка окшош адаттар",
            "рабство или обычаи, сходные с рабством",
            "slavery or practices similar to slavery",
        ),
        Exploitation::Servitude => pick(lang, "эрксиз абал", "подневольное состояние", "servitude"),
        Exploitation::OrganRemoval => pick(lang, "органдарды алып салуу", "извлечение органов", "removal of organs"),
        Exploitation::CriminalActivity => pick(
            lang,
            "кылмыштуу ишке тартуу",
            "вовлечение в преступную деятельность",
            "involvement in criminal activity",
        ),
        Exploitation::CommercialAdoption => pick(
            lang,
            "коммерциялык максатта асырап алуу",
            "усыновление (удочерение) в коммерческих целях",
            "adoption for commercial purposes",
        ),
        Exploitation::ArmedConflict => pick(
            lang,
            "куралдуу кагылыштарда пайдалануу",
            "использование в вооружённых конфликтах",
            "use in armed conflicts",
        ),
    }
}

fn evidence_line(checklist: &Checklist, answers: &Answers, e: &Evidence, lang: Lang) -> String {
    let Some(q) = checklist.question(&e.question) else {
        return e.question.clone();
    };
    let answer = answers.get(&e.question).map(|a| display(q, a, lang)).unwrap_or_default();
    format!("{} — {}", text(&q.text, lang), answer)
}

/// Puts an outcome into words. `answers` are the answers it was computed from.
pub fn explain(checklist: &Checklist, outcome: &ScreeningOutcome, answers: &Answers, lang: Lang) -> Explanation {
    let detail = match outcome.verdict {
        Verdict::PresumedVictim if outcome.child.treated_as_child => pick(
            lang,
            "Бала үчүн аракет жана эксплуатация максаты жетиштүү; ыкма талап кылынбайт.",
            "Для ребёнка достаточно действия и цели эксплуатации; способ не требуется.",
            "For a child an act and a purpose of exploitation suffice; no means is required.",
        ),
        Verdict::PresumedVictim => pick(
            lang,
            "Аракет, ыкма жана эксплуатация максаты көрсөтүлдү.",
            "Указаны действие, способ и цель эксплуатации.",
            "An act, a means and a purpose of exploitation are indicated.",
        ),
        Verdict::FurtherInterview => pick(
            lang,
            "Белгилер толук профилге жетпейт: бул чечим эмес, кошумча маек керек.",
            "Признаки не образуют полный профиль: это не вывод, нужна дополнительная беседа.",
            "The indicators fall short of the full profile: this is not a verdict; interview further.",
        ),
        Verdict::NoIndicators => {
            pick(lang, "Эч бир белги көрсөтүлгөн жок.", "Признаки не отмечены.", "No indicator was marked.")
        }
    };
    let child_note = outcome.child.treated_as_child.then(|| {
        pick(
            lang,
            "Адам бала катары каралат (18 жашка чейин же ошондой көрүнөт).",
            "Человек рассматривается как ребёнок (младше 18 лет или выглядит таковым).",
            "The person is treated as a child (under 18, or appears to be).",
        )
    });
    let consent_note = outcome.consent_irrelevant.then(|| {
        pick(
            lang,
            "Адам макул болгонун айтат, бирок ыкма колдонулган: адам сатуунун курмандыгы макулдугуна карабастан ушундай деп эсептелет (Протоколдун 3(b) беренеси; Мыйзамдын 1-беренеси).",
            "Человек говорит, что согласился, но применялся способ: жертвой торговли людьми лицо признаётся независимо от согласия (ст. 3(b) Протокола; ст. 1 Закона).",
            "The person says they agreed, but a means was used: a victim of trafficking is one with or without consent (Protocol art. 3(b); Law art. 1).",
        )
    });
    let ev = &outcome.evidence;
    let why = [
        (Element::Act, &ev.act),
        (Element::Means, &ev.means),
        (Element::Purpose, &ev.purpose),
        (Element::Control, &ev.control),
        (Element::Child, &ev.child),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .map(|(e, list)| ElementWhy {
        element: element_text(e, lang),
        answers: list.iter().map(|x| evidence_line(checklist, answers, x, lang)).collect(),
    })
    .collect();
    Explanation {
        verdict: verdict_text(outcome.verdict, lang),
        verdict_detail: detail,
        child_note,
        consent_note,
        exploitation: outcome.exploitation.iter().map(|x| exploitation_text(*x, lang)).collect(),
        why,
        missing: outcome.missing_elements.iter().map(|e| element_text(*e, lang)).collect(),
        actions: outcome
            .actions
            .iter()
            .map(|a| ActionText { text: a.action.text(lang), basis: a.action.basis_text(lang).to_string() })
            .collect(),
        disclaimer: pick(
            lang,
            "Бул сунуш, укуктук корутунду эмес: адамды адам сатуунун курмандыгы деп тергөөчү, прокурор же сот таанышат (Мыйзамдын 28-беренеси).",
            "Это рекомендация, а не правовой вывод: жертвой торговли людьми лицо признают следователь, прокурор или суд (ст. 28 Закона).",
            "This is a recommendation, not a legal finding: an investigator, a prosecutor or a court recognises a victim of trafficking (Law art. 28).",
        ),
    }
}

/// How to answer a question, as a hint on a terminal or under a field.
pub fn answer_hint(q: &Question, lang: Lang) -> String {
    let skip = if q.required {
        String::new()
    } else {
        pick(lang, ", Enter — өткөрүү", ", Enter — пропустить", ", Enter to skip")
    };
    let base = match &q.answer {
        AnswerType::YesNo => {
            pick(lang, "о/ж/? (ооба/жок/белгисиз)", "д/н/? (да/нет/неизвестно)", "y/n/? (yes/no/unknown)")
        }
        AnswerType::SingleChoice { options } => options
            .iter()
            .enumerate()
            .map(|(i, o)| format!("{}) {}", i + 1, text(&o.text, lang)))
            .collect::<Vec<_>>()
            .join("  "),
        AnswerType::MultipleChoice { options } => {
            let list = options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("{}) {}", i + 1, text(&o.text, lang)))
                .collect::<Vec<_>>()
                .join("  ");
            format!("{list}  [{}]", pick(lang, "үтүр менен", "через запятую", "comma-separated"))
        }
        AnswerType::Text { .. } => pick(lang, "текст", "текст", "text"),
        AnswerType::Number { .. } => pick(lang, "сан", "число", "a number"),
        AnswerType::Date => pick(lang, "ЖЖЖЖ-АА-КК", "ГГГГ-ММ-ДД", "YYYY-MM-DD"),
    };
    format!("{base}{skip}")
}
