//! Consent to referral: dated, for a named partner and purpose, revocable.
//! No referral carries personal data without a valid consent or a recorded
//! legal override; for a child, a parent's or guardian's consent or a
//! best-interests decision with who took it (Law art. 25, 27).

use serde::{Deserialize, Serialize};

use crate::date::IsoDate;

/// The words of a referral consent, as the officer reads them to the person
/// and as the screen records them, in one language. The core words them so
/// that every shell asks the same question (the person may say no and may
/// withdraw it later; for a child, the parent or guardian is asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentWording {
    /// Read aloud to the person (or to the parent or guardian of a child).
    pub question: String,
    /// The button that records the consent given.
    pub agree: String,
    /// Shown once it is recorded.
    pub recorded: String,
}

/// The consent question for a referral to `partner`, in `lang`.
pub fn consent_wording(partner: &str, is_child: bool, lang: super::template::Lang) -> ConsentWording {
    use super::template::Lang;
    let (question, agree, recorded) = match (lang, is_child) {
        (Lang::Ky, false) => (
            format!("Сизге жардам берүү үчүн (баш калка, дарыгер, юрист, үйгө кайтуу) атыңызды жана айтып бергениңизди {partner} уюмуна берүүгө макулсузбу? Баш тартсаңыз болот; макулдугуңузду кийин кайра алсаңыз да болот."),
            "Адам макул: макулдукту каттоо".to_string(),
            format!("{partner} уюмуна жолдомого макулдук катталды"),
        ),
        (Lang::Ky, true) => (
            format!("Балага жардам берүү үчүн (баш калка, дарыгер, юрист, үйгө кайтуу) анын атын жана айтып бергенин {partner} уюмуна берүүгө ата-энеси же камкорчусу катары макулсузбу? Баш тартсаңыз болот; макулдукту кийин кайра алсаңыз да болот."),
            "Ата-энеси же камкорчусу макул: макулдукту каттоо".to_string(),
            format!("{partner} уюмуна жолдомого ата-энесинин же камкорчусунун макулдугу катталды"),
        ),
        (Lang::Ru, false) => (
            format!("Вы согласны, чтобы мы передали ваше имя и то, что вы рассказали, в {partner}, чтобы вам помогли (приют, врач, юрист, возвращение домой)? Вы можете отказаться и можете позже отозвать согласие."),
            "Человек согласен: записать согласие".to_string(),
            format!("Согласие на направление в {partner} записано"),
        ),
        (Lang::Ru, true) => (
            format!("Вы, как родитель или опекун, согласны, чтобы мы передали имя ребёнка и то, что он рассказал, в {partner}, чтобы ему помогли (приют, врач, юрист, возвращение домой)? Вы можете отказаться и можете позже отозвать согласие."),
            "Родитель или опекун согласен: записать согласие".to_string(),
            format!("Согласие родителя или опекуна на направление в {partner} записано"),
        ),
        (Lang::En, false) => (
            format!("Do you agree that we pass your name and what you told us to {partner}, so that they can help you (a shelter, a doctor, a lawyer, the way home)? You can say no, and you can withdraw your consent later."),
            "The person agrees: record the consent".to_string(),
            format!("Consent to referral to {partner} recorded"),
        ),
        (Lang::En, true) => (
            format!("As the child's parent or guardian, do you agree that we pass the child's name and what the child told us to {partner}, so that they can help (a shelter, a doctor, a lawyer, the way home)? You can say no, and you can withdraw your consent later."),
            "The parent or guardian agrees: record the consent".to_string(),
            format!("The parent's or guardian's consent to referral to {partner} recorded"),
        ),
    };
    ConsentWording { question, agree, recorded }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralConsent {
    pub id: String,
    /// The partner organisation's id (reference data: IOM, a shelter...).
    pub partner: String,
    /// What the data is shared for ("shelter", "legal aid", "return"...).
    pub purpose: String,
    pub given_on: IsoDate,
    #[serde(default)]
    pub revoked_on: Option<IsoDate>,
    pub basis: ReferralBasis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReferralBasis {
    /// Consent, and who gave it.
    Consent { given_by: ConsentGiver },
    /// Sharing decided without consent under a legal power, recorded with who
    /// decided and why; for a child, a best-interests decision.
    LegalOverride { authority: String, reason: String, decided_by: String, best_interests_of_child: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentGiver {
    ThePerson,
    ParentOrGuardian,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralRefused {
    #[error("no consent or legal override for sharing with {partner} for {purpose}")]
    NoBasis { partner: String, purpose: String },
    #[error("the consent for {partner} was revoked on {on}")]
    Revoked { partner: String, on: IsoDate },
    #[error("a child's data needs a parent's or guardian's consent or a best-interests decision")]
    ChildNeedsGuardianOrDecision,
    #[error("the consent is dated after the referral")]
    NotYetGiven,
}

impl ReferralConsent {
    fn in_force_on(&self, on: IsoDate) -> bool {
        self.given_on <= on && self.revoked_on.is_none_or(|r| r > on)
    }
}

/// The basis on which personal data may be shared with `partner` for
/// `purpose` on `on`, or why it may not.
pub fn may_share<'a>(
    consents: &'a [ReferralConsent],
    partner: &str,
    purpose: &str,
    on: IsoDate,
    is_child: bool,
) -> Result<&'a ReferralConsent, ReferralRefused> {
    let matching: Vec<&ReferralConsent> =
        consents.iter().filter(|c| c.partner == partner && c.purpose == purpose).collect();
    let sufficient = |c: &&ReferralConsent| match &c.basis {
        ReferralBasis::Consent { given_by: ConsentGiver::ThePerson } => !is_child,
        ReferralBasis::Consent { given_by: ConsentGiver::ParentOrGuardian } => true,
        ReferralBasis::LegalOverride { best_interests_of_child, .. } => !is_child || *best_interests_of_child,
    };
    if let Some(c) = matching.iter().find(|c| c.in_force_on(on) && sufficient(c)) {
        return Ok(c);
    }
    // Say why, most specific first.
    if let Some(c) = matching.iter().find(|c| c.revoked_on.is_some_and(|r| r <= on)) {
        return Err(ReferralRefused::Revoked { partner: partner.into(), on: c.revoked_on.expect("checked") });
    }
    if matching.iter().any(|c| c.given_on > on) {
        return Err(ReferralRefused::NotYetGiven);
    }
    if is_child && !matching.is_empty() {
        return Err(ReferralRefused::ChildNeedsGuardianOrDecision);
    }
    Err(ReferralRefused::NoBasis { partner: partner.into(), purpose: purpose.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> IsoDate {
        s.parse().unwrap()
    }

    fn consent(given_by: ConsentGiver, revoked: Option<&str>) -> ReferralConsent {
        ReferralConsent {
            id: "c1".into(),
            partner: "iom".into(),
            purpose: "shelter".into(),
            given_on: d("2026-11-01"),
            revoked_on: revoked.map(d),
            basis: ReferralBasis::Consent { given_by },
        }
    }

    #[test]
    fn no_consent_no_referral() {
        assert!(matches!(
            may_share(&[], "iom", "shelter", d("2026-11-02"), false),
            Err(ReferralRefused::NoBasis { .. })
        ));
        let c = [consent(ConsentGiver::ThePerson, None)];
        assert!(may_share(&c, "iom", "shelter", d("2026-11-02"), false).is_ok());
        // Another partner or purpose is not covered.
        assert!(may_share(&c, "ngo-osh", "shelter", d("2026-11-02"), false).is_err());
        assert!(may_share(&c, "iom", "legal-aid", d("2026-11-02"), false).is_err());
        // Not before it was given.
        assert_eq!(may_share(&c, "iom", "shelter", d("2026-10-31"), false), Err(ReferralRefused::NotYetGiven));
    }

    #[test]
    fn revocation_ends_consent() {
        let c = [consent(ConsentGiver::ThePerson, Some("2026-11-10"))];
        assert!(may_share(&c, "iom", "shelter", d("2026-11-09"), false).is_ok());
        assert!(matches!(
            may_share(&c, "iom", "shelter", d("2026-11-10"), false),
            Err(ReferralRefused::Revoked { .. })
        ));
    }

    #[test]
    fn a_child_needs_a_guardian_or_a_best_interests_decision() {
        let own = [consent(ConsentGiver::ThePerson, None)];
        assert_eq!(
            may_share(&own, "iom", "shelter", d("2026-11-02"), true),
            Err(ReferralRefused::ChildNeedsGuardianOrDecision)
        );
        let guardian = [consent(ConsentGiver::ParentOrGuardian, None)];
        assert!(may_share(&guardian, "iom", "shelter", d("2026-11-02"), true).is_ok());
        let mut decision = consent(ConsentGiver::ThePerson, None);
        decision.basis = ReferralBasis::LegalOverride {
            authority: "guardianship authority, Osh".into(),
            reason: "immediate protection".into(),
            decided_by: "officer 0042".into(),
            best_interests_of_child: true,
        };
        assert!(may_share(&[decision], "iom", "shelter", d("2026-11-02"), true).is_ok());
    }
}
