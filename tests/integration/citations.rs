//! Every template item cites an article that exists in the legal text, in the right
//! pillar, and the template covers the lists the law enumerates.

use qcdc::domain::template::{Law, Pillar, Template};
use std::collections::BTreeSet;
use std::path::Path;

const LAW_TEXT: &str = "../shared/domain/law-text-thuc-hien-dan-chu-o-co-so.md";

fn template() -> Template {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/template.toml");
    let src = std::fs::read_to_string(&path).expect("data/template.toml");
    qcdc::data::parse_template("data/template.toml", &src).unwrap_or_else(|e| panic!("{e}"))
}

/// The codified text, NFC; `None` (with a note) when it is not checked out here.
fn law_text() -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LAW_TEXT);
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s.nfc().collect()),
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("{LAW_TEXT} is required in CI: {e}");
            }
            eprintln!("note: {LAW_TEXT} not found ({e}); citation checks skipped");
            None
        }
    }
}

fn marker(law: Law, article: u16) -> String {
    match law {
        Law::Luat10_2022 => format!("(Điều {article} Luật số 10/2022/QH15"),
        Law::Nd59_2023 => format!("(Điều {article} Nghị định số 59/2023/NĐ-CP"),
        Law::Nd61_2023 => format!("(Điều {article} Nghị định số 61/2023/NĐ-CP"),
    }
}

#[test]
fn every_item_cites_an_article_present_in_the_law_text() {
    let Some(text) = law_text() else { return };
    let t = template();
    assert!(!t.items.is_empty());
    let missing: Vec<String> = t
        .items
        .iter()
        .filter(|i| !text.contains(&marker(i.citation.law, i.citation.article)))
        .map(|i| {
            format!(
                "{} → {}",
                i.code,
                marker(i.citation.law, i.citation.article)
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "articles not in the law text: {missing:#?}"
    );
}

#[test]
fn items_citing_the_law_cite_an_article_of_their_pillar() {
    let t = template();
    let wrong: Vec<String> = t
        .items
        .iter()
        .filter(|i| i.citation.law == Law::Luat10_2022)
        .filter(|i| {
            let (lo, hi) = i.pillar.articles();
            !(lo..=hi).contains(&i.citation.article)
        })
        .map(|i| {
            format!(
                "{} ({:?}, Điều {}–{}) cites Điều {}",
                i.code,
                i.pillar,
                i.pillar.articles().0,
                i.pillar.articles().1,
                i.citation.article
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The citation text starts with the article it names.
    for i in &t.items {
        assert!(
            i.citation
                .text
                .starts_with(&format!("Điều {}", i.citation.article)),
            "{}: {:?}",
            i.code,
            i.citation.text
        );
    }
}

fn clauses(t: &Template, article: u16, prefix: &str) -> (BTreeSet<u16>, Vec<String>) {
    let items: Vec<_> = t
        .items
        .iter()
        .filter(|i| !i.retired)
        .filter(|i| i.citation.law == Law::Luat10_2022 && i.citation.article == article)
        .filter(|i| i.code.starts_with(prefix))
        .collect();
    (
        items.iter().filter_map(|i| i.citation.clause).collect(),
        items.iter().map(|i| i.code.clone()).collect(),
    )
}

#[test]
fn the_template_covers_the_14_kinds_of_disclosure_of_dieu_11() {
    let t = template();
    let (cl, codes) = clauses(&t, 11, "CK-");
    assert_eq!(cl, (1..=14).collect(), "clauses of Điều 11 covered");
    assert_eq!(codes.len(), 14, "one CK item per clause: {codes:?}");
    assert!(
        t.items
            .iter()
            .filter(|i| codes.contains(&i.code))
            .all(|i| i.pillar == Pillar::CongKhai)
    );
}

#[test]
fn the_template_covers_the_6_kinds_of_decision_of_dieu_15() {
    let t = template();
    let (cl, codes) = clauses(&t, 15, "BQ-");
    assert_eq!(
        cl,
        (1..=6).collect(),
        "clauses of Điều 15 covered by {codes:?}"
    );
    for i in t.items.iter().filter(|i| codes.contains(&i.code)) {
        assert_eq!(i.pillar, Pillar::BanQuyetDinh, "{}", i.code);
        assert!(
            i.vote.is_some(),
            "{} is a decision: it needs a vote rule",
            i.code
        );
    }
}

#[test]
fn the_template_covers_the_9_kinds_of_consultation_of_dieu_25() {
    let t = template();
    let (cl, codes) = clauses(&t, 25, "YK-");
    assert_eq!(
        cl,
        (1..=9).collect(),
        "clauses of Điều 25 covered by {codes:?}"
    );
    assert!(
        t.items
            .iter()
            .filter(|i| codes.contains(&i.code))
            .all(|i| i.pillar == Pillar::ThamGiaYKien)
    );
}

#[test]
fn the_embedded_template_is_the_file_in_data() {
    assert_eq!(qcdc::data::default_template(), template());
}
