//! What the officer must be told to do (DOMAIN.md, "recommended actions"),
//! with the legal basis of each, in Kyrgyz, Russian and English. The terms
//! follow docs/GLOSSARY.md (checked by domain/tests/glossary.rs).
//!
//! The Kyrgyz and Russian texts are not yet reviewed by a native-speaking
//! legal-linguistic expert (docs/SCREENING.md).

use serde::{Deserialize, Serialize};

use super::evaluate::Verdict;
use super::template::{DocumentSituation, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Interview in private, apart from companions, with an interpreter.
    InterviewPrivately,
    /// Do not detain or prosecute for offences committed as a result of being trafficked.
    NonPunishment,
    /// Offer a shelter place («приют», not asylum) for 10 days on request,
    /// regardless of willingness to testify.
    OfferShelter,
    /// Immediately notify the guardianship authority.
    NotifyGuardianship,
    /// Never place a child with unrelated adults.
    NoPlacementWithUnrelatedAdults,
    /// Trace the child's family; return per Government resolution No. 571.
    TraceFamily,
    /// Refer to IOM, NGOs, shelters, the hotline: personal data only with consent.
    ReferToPartners,
    /// Pass the case materials to national security (the border service has no referral power).
    HandOverToNationalSecurity,
    /// Record crossing without documents or with another person's (Law art. 18).
    RecordDocumentSituation,
    /// A foreign victim recognised under criminal procedure who assists the
    /// investigation: no deportation pending the criminal case; temporary
    /// residence (Law art. 28 p.3). Not to be promised at the border.
    NoDeportation,
    /// Consent is irrelevant once any means was used: do not let it end the case.
    ConsentIrrelevant,
}

/// An action with its legal basis and its text in each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendedAction {
    pub action: Action,
    pub basis: String,
}

/// The national hotline (DOMAIN.md).
pub const HOTLINE: &str = "0 800 0000 189";

impl Action {
    /// Every action, in the order an officer takes them.
    pub const ALL: [Action; 11] = [
        Action::InterviewPrivately,
        Action::NonPunishment,
        Action::ConsentIrrelevant,
        Action::NotifyGuardianship,
        Action::NoPlacementWithUnrelatedAdults,
        Action::TraceFamily,
        Action::OfferShelter,
        Action::NoDeportation,
        Action::ReferToPartners,
        Action::RecordDocumentSituation,
        Action::HandOverToNationalSecurity,
    ];

    /// The legal basis as recorded in the outcome (English, stable).
    pub fn basis(self) -> &'static str {
        self.basis_text(Lang::En)
    }

    /// The legal basis in the session's language.
    pub fn basis_text(self, lang: Lang) -> &'static str {
        let (ky, ru, en) = match self {
            Action::InterviewPrivately => (
                "Протоколдун 6-беренесинин 1-пункту; Мыйзамдын 25-беренеси",
                "п. 1 ст. 6 Протокола; ст. 25 Закона",
                "Protocol art. 6 p.1; Law art. 25",
            ),
            Action::NonPunishment => (
                "Мыйзамдын 12-беренесинин 3-бөлүгү, 28-беренесинин 1-бөлүгү",
                "ч. 3 ст. 12, ч. 1 ст. 28 Закона",
                "Law art. 12 p.3, art. 28 p.1",
            ),
            Action::OfferShelter => {
                ("Мыйзамдын 21-беренесинин 3–4-бөлүктөрү", "ч. 3–4 ст. 21 Закона", "Law art. 21 p.3-4")
            }
            Action::NotifyGuardianship => {
                ("Мыйзамдын 27-беренесинин 1–2-бөлүктөрү", "ч. 1–2 ст. 27 Закона", "Law art. 27 p.1-2")
            }
            Action::NoPlacementWithUnrelatedAdults => {
                ("Мыйзамдын 27-беренесинин 1, 3-бөлүктөрү", "ч. 1, 3 ст. 27 Закона", "Law art. 27 p.1, p.3")
            }
            Action::TraceFamily => (
                "Мыйзамдын 27-беренесинин 5-бөлүгү; Өкмөттүн 2013-жылдын 21-октябрындагы №571 токтому",
                "ч. 5 ст. 27 Закона; постановление Правительства № 571 от 21 октября 2013 г.",
                "Law art. 27 p.5; Government resolution No. 571 of 21 Oct 2013",
            ),
            Action::ReferToPartners => (
                "Мыйзамдын 25-беренеси; Протоколдун 6-беренесинин 3-пункту",
                "ст. 25 Закона; п. 3 ст. 6 Протокола",
                "Law art. 25; Protocol art. 6 p.3",
            ),
            // No article of the Law sets this hand-over: it is the practice the
            // 2015 monitoring report records (6.8), so none is cited.
            Action::HandOverToNationalSecurity => (
                "Мыйзамда эмес: мониторинг баяндамасында (2015, 6.8) белгиленген тажрыйба",
                "не Закон: практика, описанная в докладе по мониторингу (2015, 6.8)",
                "not the Law: the practice recorded in the monitoring report (2015, 6.8)",
            ),
            Action::RecordDocumentSituation => ("Мыйзамдын 18-беренеси", "ст. 18 Закона", "Law art. 18"),
            Action::NoDeportation => ("Мыйзамдын 28-беренесинин 3-бөлүгү", "ч. 3 ст. 28 Закона", "Law art. 28 p.3"),
            Action::ConsentIrrelevant => (
                "Протоколдун 3(b) беренеси; Мыйзамдын 1-беренеси",
                "ст. 3(b) Протокола; ст. 1 Закона",
                "Protocol art. 3(b); Law art. 1",
            ),
        };
        match lang {
            Lang::Ky => ky,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    pub fn text(self, lang: Lang) -> String {
        let (ky, ru, en) = match self {
            Action::InterviewPrivately => (
                "Адам менен жекеме-жеке, коштоочуларынан бөлөк, керек болсо котормочу менен сүйлөшүңүз.",
                "Побеседуйте с человеком наедине, отдельно от сопровождающих, при необходимости с переводчиком.",
                "Interview the person in private, apart from any companions, with an interpreter if needed.",
            ),
            Action::NonPunishment => (
                "Адамды адам сатуунун натыйжасында жасаган укук бузуулары үчүн кармабаңыз жана жоопкерчиликке тартпаңыз.",
                "Не задерживайте человека и не привлекайте к ответственности за правонарушения, совершённые в результате торговли людьми.",
                "Do not detain or prosecute the person for offences committed as a result of being trafficked.",
            ),
            Action::OfferShelter => (
                "Адамга анын өз өтүнүчү боюнча 10 күнгө баш калкалоочу жай сунуштаңыз, жүрүм-турумуна жана көрсөтмө берүүгө даярдыгына карабастан.",
                "Предложите размещение в приюте на 10 дней по личной просьбе человека, независимо от его поведения и готовности давать показания.",
                "Offer a shelter place for 10 days at the person's own request, whatever their behaviour and whether or not they will testify.",
            ),
            Action::NotifyGuardianship => (
                "Бала жөнүндө камкорчулук жана көзөмөлчүлүк органына дароо кабарлаңыз; баланын кызыкчылыгын биринчи орунга коюңуз.",
                "Немедленно сообщите о ребёнке в орган опеки и попечительства; действуйте в наилучших интересах ребёнка.",
                "Notify the guardianship and trusteeship authority about the child at once; act in the child's best interests.",
            ),
            Action::NoPlacementWithUnrelatedAdults => (
                "Баланы тууган эмес чоң адамдарга бербеңиз жана алар менен бирге жайгаштырбаңыз.",
                "Не передавайте ребёнка посторонним взрослым и не размещайте его вместе с ними.",
                "Never hand the child to, or place the child with, unrelated adults.",
            ),
            Action::TraceFamily => (
                "Баланын үй-бүлөсүн издеңиз; кайтаруу Өкмөттүн №571 токтомуна ылайык жүргүзүлөт.",
                "Установите местонахождение семьи ребёнка; возвращение — по постановлению Правительства № 571.",
                "Trace the child's family; return follows Government resolution No. 571.",
            ),
            Action::ReferToPartners => (
                "ЭМУга, бейөкмөт уюмдарга, баш калкалоочу жайларга же 0 800 0000 189 ишеним телефонуна багыттаңыз; жеке маалыматтарды адамдын макулдугу менен гана бериңиз.",
                "Направьте в МОМ, НКО, приюты или на горячую линию 0 800 0000 189; персональные данные — только с согласия человека.",
                "Refer to IOM, NGOs, shelters or the hotline 0 800 0000 189; share personal data only with the person's consent.",
            ),
            Action::HandOverToNationalSecurity => (
                "Иштин материалдарын улуттук коопсуздук органдарына өткөрүп бериңиз (чек ара кызматы өзү жардамга багыттабайт).",
                "Передайте материалы органам национальной безопасности (пограничная служба сама не направляет за помощью).",
                "Pass the case materials to national security (the border service does not refer people for assistance itself).",
            ),
            Action::RecordDocumentSituation => (
                "Документсиз же башка адамдын документтери менен чек арадан өтүүнү каттаңыз.",
                "Зарегистрируйте пересечение границы без документов или по документам другого лица.",
                "Register the crossing without documents or with another person's documents.",
            ),
            Action::NoDeportation => (
                "Чет өлкөлүк жаран же жарандыгы жок адам кылмыш-процесстик мыйзамдарга ылайык адам сатуунун курмандыгы деп таанылса жана тергөөгө көмөк көрсөтсө, адам сатуучуларга каршы кылмыш иши боюнча чечим чыкканга чейин депортацияланбайт жана убактылуу жашоо укугуна ээ. Чек арада муну убада кылбаңыз: ишти тиешелүү органдарга өткөрүңүз.",
                "Иностранный гражданин или лицо без гражданства, признанные жертвой торговли людьми по уголовно-процессуальному законодательству и содействующие следствию, не подлежат депортации до решения по уголовному делу против торговцев людьми и имеют право на временное проживание. Не обещайте этого на границе: передайте дело компетентным органам.",
                "A foreign national or stateless person recognised as a victim under criminal procedure law who assists the investigation is not deported until the criminal case against the traffickers is decided, and has the right of temporary residence. Do not promise this at the border: pass the case to the competent authorities.",
            ),
            Action::ConsentIrrelevant => (
                "Адам макул болгонун айтат, бирок ыкма колдонулган (мажбурлоо, алдоо, аярлуу абалынан кыянаттык менен пайдалануу, акча же пайда берүү, карыз ж.б.): адам сатуунун курмандыгы анын макулдугуна карабастан ушундай деп эсептелет.",
                "Человек говорит, что согласился, но применялся способ (принуждение, обман, злоупотребление уязвимостью положения, платежи или выгоды, долг и др.): жертвой торговли людьми лицо признаётся независимо от согласия.",
                "The person says they agreed, but a means was used (force, deception, abuse of a position of vulnerability, payments or benefits, debt...): a victim of trafficking is one with or without consent.",
            ),
        };
        match lang {
            Lang::Ky => ky,
            Lang::Ru => ru,
            Lang::En => en,
        }
        .to_string()
    }
}

/// The actions that follow from an outcome, in the order an officer takes them.
pub fn recommended_actions(
    verdict: Verdict,
    is_child: bool,
    documents: Option<DocumentSituation>,
    foreign: bool,
    consent_irrelevant: bool,
) -> Vec<RecommendedAction> {
    let mut out = Vec::new();
    let mut add = |a: Action| out.push(RecommendedAction { action: a, basis: a.basis().to_string() });
    if verdict >= Verdict::FurtherInterview {
        add(Action::InterviewPrivately);
    }
    if verdict == Verdict::PresumedVictim {
        add(Action::NonPunishment);
        if consent_irrelevant {
            add(Action::ConsentIrrelevant);
        }
    }
    if is_child && verdict >= Verdict::FurtherInterview {
        add(Action::NotifyGuardianship);
        add(Action::NoPlacementWithUnrelatedAdults);
        add(Action::TraceFamily);
    }
    if verdict == Verdict::PresumedVictim {
        // Offered to everyone presumed a victim; the person's request decides.
        add(Action::OfferShelter);
        if foreign {
            add(Action::NoDeportation);
        }
        add(Action::ReferToPartners);
    }
    if matches!(documents, Some(DocumentSituation::None | DocumentSituation::AnotherPersons)) {
        add(Action::RecordDocumentSituation);
    }
    if verdict >= Verdict::FurtherInterview
        || matches!(documents, Some(DocumentSituation::None | DocumentSituation::AnotherPersons))
    {
        add(Action::HandOverToNationalSecurity);
    }
    out
}
