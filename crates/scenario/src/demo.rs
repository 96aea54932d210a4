//! Guided demos (extension): a scenario with a `demo` header is a demo. Its
//! header gives a title and what it teaches in English and Chinese, and the
//! seed lines (the Chinese study notes) it explains; every `say` is followed
//! by its Chinese `say.zh`. [`demo`] returns that as data, so a UI can list
//! demos and show each step's narration in either language.
//!
//! Rules checked by [`crate::parse`] (every scenario, demo or not):
//! - `say.zh` comes right after a `say`; `demo seed.en` right after a
//!   `demo seed`;
//! - `demo` lines form the header: they come before `cluster`, and each of
//!   `title`, `title.zh`, `teaches`, `teaches.zh` is given once;
//! - a demo has all four, at least one `seed`, a `seed.en` for every seed,
//!   and a `say.zh` for every `say`;
//! - Chinese texts (`title.zh`, `teaches.zh`, `say.zh`, the seed quote)
//!   contain Chinese characters.

use crate::ast::*;
use crate::ScenarioError;

/// A text in English and Simplified Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bilingual {
    pub en: String,
    pub zh: String,
}

impl Bilingual {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// A seed line a demo explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedLine {
    /// The seed file, e.g. `004_b6897ffb7d1866c9.txt`.
    pub file: String,
    /// The line (or the part of it) as the seed writes it, in Chinese.
    pub quote: String,
    /// Its English rendering.
    pub en: String,
}

/// One narrated step: a `say` and its `say.zh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narration {
    /// The line of the `say`; the step's commands follow it up to the next
    /// narration.
    pub line: usize,
    pub text: Bilingual,
}

/// A demo's metadata and narration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    pub file: String,
    pub title: Bilingual,
    pub teaches: Bilingual,
    pub seeds: Vec<SeedLine>,
    pub steps: Vec<Narration>,
}

/// The demo a checked scenario describes, or `None` if it has no `demo`
/// header. Pure: the UI lists demos with it.
pub fn demo(s: &Scenario) -> Option<Demo> {
    extract(s).ok().flatten()
}

/// Parses a scenario and returns its demo (`Ok(None)` for a scenario
/// without a `demo` header), or every error as `file:line: message`.
pub fn parse_demo(file_name: &str, source: &str) -> Result<Option<Demo>, Vec<ScenarioError>> {
    let s = crate::parse(file_name, source)?;
    Ok(demo(&s))
}

/// Does the text contain a CJK ideograph?
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
    })
}

/// Checks the rules above and builds the demo.
pub(crate) fn extract(s: &Scenario) -> Result<Option<Demo>, Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let mut err = |line: usize, message: String| {
        errors.push(ScenarioError {
            file: s.file.clone(),
            line,
            message,
        })
    };
    let mut title = [None::<(usize, String)>, None];
    let mut teaches = [None::<(usize, String)>, None];
    let mut seeds: Vec<(usize, SeedLine)> = Vec::new();
    let mut steps: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut first_demo_line = None;
    let mut cluster_line = None;
    let mut previous: Option<&Command> = None;
    for c in &s.commands {
        let line = c.line;
        match &c.node {
            Command::Cluster { .. } => cluster_line = cluster_line.or(Some(line)),
            Command::Say { text } => steps.push((line, text.clone(), None)),
            Command::SayZh { text } => {
                match (previous, steps.last_mut()) {
                    (Some(Command::Say { .. }), Some(step)) => step.2 = Some(text.clone()),
                    _ => err(
                        line,
                        "say.zh must come right after the say it translates".to_string(),
                    ),
                }
                if !has_chinese(text) {
                    err(
                        line,
                        "say.zh: the text has no Chinese characters".to_string(),
                    );
                }
            }
            Command::Demo(d) => {
                first_demo_line = first_demo_line.or(Some(line));
                if let Some(cl) = cluster_line {
                    err(
                        line,
                        format!("demo lines are the header: write them before cluster (line {cl})"),
                    );
                }
                match d {
                    DemoLine::Title { lang, text } | DemoLine::Teaches { lang, text } => {
                        let slot = match d {
                            DemoLine::Title { .. } => &mut title[*lang as usize],
                            _ => &mut teaches[*lang as usize],
                        };
                        if let Some((first, _)) = slot {
                            err(
                                line,
                                format!("demo {} given twice (first on line {first})", d.field()),
                            );
                        } else {
                            *slot = Some((line, text.clone()));
                        }
                        if *lang == Lang::Zh && !has_chinese(text) {
                            err(
                                line,
                                format!("demo {}: the text has no Chinese characters", d.field()),
                            );
                        }
                    }
                    DemoLine::Seed { file, quote } => {
                        if !has_chinese(quote) {
                            err(
                                line,
                                "demo seed: the quote has no Chinese characters (quote the seed line as written)"
                                    .to_string(),
                            );
                        }
                        seeds.push((
                            line,
                            SeedLine {
                                file: file.clone(),
                                quote: quote.clone(),
                                en: String::new(),
                            },
                        ));
                    }
                    DemoLine::SeedEn { text } => match (previous, seeds.last_mut()) {
                        (Some(Command::Demo(DemoLine::Seed { .. })), Some((_, seed))) => {
                            seed.en = text.clone()
                        }
                        _ => err(
                            line,
                            "demo seed.en must come right after the demo seed it translates"
                                .to_string(),
                        ),
                    },
                }
            }
            _ => {}
        }
        previous = Some(&c.node);
    }
    let Some(header) = first_demo_line else {
        return if errors.is_empty() {
            Ok(None)
        } else {
            Err(errors)
        };
    };
    for (slot, field) in [
        (&title[0], "title"),
        (&title[1], "title.zh"),
        (&teaches[0], "teaches"),
        (&teaches[1], "teaches.zh"),
    ] {
        if slot.is_none() {
            err(header, format!("a demo needs demo {field}"));
        }
    }
    if seeds.is_empty() {
        err(
            header,
            "a demo needs at least one demo seed FILE \"QUOTE\" (the seed line it explains)"
                .to_string(),
        );
    }
    for (line, seed) in &seeds {
        if seed.en.is_empty() {
            err(
                *line,
                "demo seed has no demo seed.en after it (its English rendering)".to_string(),
            );
        }
    }
    for (line, _, zh) in &steps {
        if zh.is_none() {
            err(
                *line,
                "say has no say.zh right after it: a demo narrates every step in English and Chinese"
                    .to_string(),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = |pair: &[Option<(usize, String)>; 2]| Bilingual {
        en: pair[0].clone().map(|p| p.1).unwrap_or_default(),
        zh: pair[1].clone().map(|p| p.1).unwrap_or_default(),
    };
    Ok(Some(Demo {
        file: s.file.clone(),
        title: text(&title),
        teaches: text(&teaches),
        seeds: seeds.into_iter().map(|(_, s)| s).collect(),
        steps: steps
            .into_iter()
            .map(|(line, en, zh)| Narration {
                line,
                text: Bilingual {
                    en,
                    zh: zh.unwrap_or_default(),
                },
            })
            .collect(),
    }))
}
