//! What the officer must be told to do (DOMAIN.md, "recommended actions"),
//! with the legal basis of each, in Kyrgyz, Russian and English.
//!
//! The Kyrgyz and Russian texts need review by a native-speaking legal expert
//! before field use (docs/SCREENING.md).

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
    /// Offer shelter for 10 days on request, regardless of willingness to testify.
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
    /// A foreign victim: no deportation while proceedings run; temporary residence.
    NoDeportation,
    /// Consent is irrelevant once a means was used: do not let it end the case.
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
    pub fn basis(self) -> &'static str {
        match self {
            Action::InterviewPrivately => "Protocol art. 6 p.1; Law art. 25",
            Action::NonPunishment => "Law art. 12 p.3, art. 28 p.1",
            Action::OfferShelter => "Law art. 21 p.3-4",
            Action::NotifyGuardianship | Action::NoPlacementWithUnrelatedAdults => "Law art. 27",
            Action::TraceFamily => "Law art. 27; Government resolution No. 571 of 21 Oct 2013",
            Action::ReferToPartners => "Law art. 25; Protocol art. 6 p.3",
            Action::HandOverToNationalSecurity => "Law art. 9 p.6, art. 18",
            Action::RecordDocumentSituation => "Law art. 18",
            Action::NoDeportation => "Law art. 28 p.3-4",
            Action::ConsentIrrelevant => "Protocol art. 3(b); Law art. 1",
        }
    }

    pub fn text(self, lang: Lang) -> String {
        let (ky, ru, en) = match self {
            Action::InterviewPrivately => (
                "Адамды жекече, коштоочулардан бөлөк, керек болсо котормочу менен сураңыз.",
                "Побеседуйте с человеком наедине, отдельно от сопровождающих, при необходимости с переводчиком.",
                "Interview the person in private, apart from any companions, with an interpreter if needed.",
            ),
            Action::NonPunishment => (
                "Адам сатуунун натыйжасында жасалган укук бузуулар үчүн кармабаңыз жана жоопкерчиликке тартпаңыз.",
                "Не задерживайте и не привлекайте к ответственности за правонарушения, совершённые в результате торговли людьми.",
                "Do not detain or prosecute the person for offences committed as a result of being trafficked.",
            ),
            Action::OfferShelter => (
                "Өз өтүнүчү боюнча 10 күнгө баш калкалоочу жай сунуштаңыз, көрсөтмө берүүгө макулдугуна карабастан.",
                "Предложите убежище на 10 дней по просьбе человека, независимо от готовности давать показания.",
                "Offer shelter for 10 days at the person's request, whether or not they are willing to testify.",
            ),
            Action::NotifyGuardianship => (
                "Камкордук жана көзөмөл органына дароо кабарлаңыз; баланын кызыкчылыгында аракеттениңиз.",
                "Немедленно уведомите орган опеки и попечительства; действуйте в наилучших интересах ребёнка.",
                "Notify the guardianship authority immediately; act in the child's best interests.",
            ),
            Action::NoPlacementWithUnrelatedAdults => (
                "Баланы тууган эмес чоңдор менен жайгаштырбаңыз.",
                "Не размещайте ребёнка вместе с посторонними взрослыми.",
                "Never place the child with unrelated adults.",
            ),
            Action::TraceFamily => (
                "Баланын үй-бүлөсүн издеңиз; кайтаруу №571 токтомго ылайык.",
                "Установите семью ребёнка; возвращение — по постановлению Правительства № 571.",
                "Trace the child's family; return follows Government resolution No. 571.",
            ),
            Action::ReferToPartners => (
                "ЭМУ, БӨУлар, баш калкалоочу жайлар же ишеним телефону 0 800 0000 189 менен байланыштырыңыз; жеке маалыматтарды макулдугу менен гана бериңиз.",
                "Направьте к МОМ, НКО, в убежища или на горячую линию 0 800 0000 189; персональные данные — только с согласия.",
                "Refer to IOM, NGOs, shelters or the hotline 0 800 0000 189; share personal data only with consent.",
            ),
            Action::HandOverToNationalSecurity => (
                "Иштин материалдарын улуттук коопсуздук органдарына өткөрүп бериңиз.",
                "Передайте материалы дела органам национальной безопасности.",
                "Pass the case materials to national security.",
            ),
            Action::RecordDocumentSituation => (
                "Документсиз же башка адамдын документи менен чек ара кесүүнү каттаңыз.",
                "Зафиксируйте пересечение границы без документов или по чужим документам.",
                "Record the crossing without documents or with another person's documents.",
            ),
            Action::NoDeportation => (
                "Чет элдик жабырлануучуну иш жүргүзүлүп жатканда депортациялабаңыз; убактылуу жашоого укук.",
                "Не депортируйте иностранную жертву во время производства по делу; временное проживание.",
                "Do not deport a foreign victim while proceedings run; temporary residence applies.",
            ),
            Action::ConsentIrrelevant => (
                "Адам макул болгон, бирок мажбурлоо же алдоо колдонулган: макулдук мааниге ээ эмес.",
                "Человек дал согласие, но применялись принуждение или обман: согласие не имеет значения.",
                "The person agreed, but a means (force, deception...) was used: their consent is irrelevant.",
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
