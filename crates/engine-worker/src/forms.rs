//! The page's producer and consumer forms, checked here ([`Request::Check`]):
//! each form's lines are run through the scenario checker after the live
//! script, as the console's lines are, so the page needs no parser (it
//! kept the page's wasm over its size budget).
//!
//! [`Request::Check`]: kafkascope_view::engine::Request::Check

use std::cell::RefCell;

use kafkascope_view::engine::FormCheck;

/// The scenario checker's errors for `lines` appended to `script` (what
/// the console would refuse), messages only.
pub fn check_lines(script: &str, lines: &[String]) -> Vec<String> {
    let base = script.lines().count();
    let mut full = script.to_string();
    if !full.is_empty() && !full.ends_with('\n') {
        full.push('\n');
    }
    for l in lines {
        full.push_str(l);
        full.push('\n');
    }
    match scenario::parse("console", &full) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|e| e.line > base)
            .map(|e| e.message)
            .collect(),
    }
}

/// The forms the page has asked to check, by name, and their checks after
/// the last script (an update that did not change the script, a rewind or
/// a focus, does not parse it again).
#[derive(Default)]
pub struct Forms {
    lines: Vec<(String, Vec<String>)>,
    last: RefCell<Option<(String, Vec<FormCheck>)>>,
}

impl Forms {
    /// `form`'s lines from now on; no lines forgets the form.
    pub fn set(&mut self, form: String, lines: Vec<String>) {
        self.lines.retain(|(f, _)| *f != form);
        if !lines.is_empty() {
            self.lines.push((form, lines));
        }
        self.last.take();
    }

    /// Every form's lines checked after `script`.
    pub fn check(&self, script: &str) -> Vec<FormCheck> {
        if let Some((s, checks)) = &*self.last.borrow() {
            if s == script {
                return checks.clone();
            }
        }
        let checks: Vec<FormCheck> = self
            .lines
            .iter()
            .map(|(form, lines)| FormCheck {
                form: form.clone(),
                lines: lines.clone(),
                errors: check_lines(script, lines),
            })
            .collect();
        *self.last.borrow_mut() = Some((script.to_string(), checks.clone()));
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "cluster brokers=3\ntopic create t partitions=3 replication-factor=3\n";

    #[test]
    fn lines_are_checked_like_the_console_checks_them() {
        // A line that parses may still conflict: the checker says so.
        let errors = check_lines(
            SCRIPT,
            &["producer p acks=1 enable.idempotence=true".into()],
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("acks=1") && errors[0].contains("enable.idempotence"));
        assert!(check_lines(SCRIPT, &["producer p acks=1".into()]).is_empty());
        // Names that exist already, and references to what does not.
        let twice = format!("{SCRIPT}producer p\n");
        assert!(!check_lines(&twice, &["producer p".into()]).is_empty());
        let sub = ["consumer c group.id=g".into(), "subscribe c nope".into()];
        let errors = check_lines(SCRIPT, &sub);
        assert!(errors.iter().any(|e| e.contains("nope")), "{errors:?}");
        // Without a cluster nothing can be created.
        assert!(!check_lines("", &["producer p".into()]).is_empty());
        // A script without its last newline is still line by line.
        assert!(!check_lines(twice.trim_end(), &["producer p".into()]).is_empty());
    }

    #[test]
    fn each_form_is_checked_until_it_sends_no_lines() {
        let mut f = Forms::default();
        f.set("producer".into(), vec!["producer p".into()]);
        f.set("consumer".into(), vec!["consumer c".into()]);
        let checks = f.check(SCRIPT);
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.errors.is_empty()), "{checks:?}");
        // New lines replace the form's old ones; the script is new too.
        f.set("producer".into(), vec!["producer q".into()]);
        let after = f.check(&format!("{SCRIPT}producer q\n"));
        let p = after.iter().find(|c| c.form == "producer").unwrap();
        assert_eq!(p.lines, ["producer q"]);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        f.set("consumer".into(), vec![]);
        assert_eq!(f.check(SCRIPT).len(), 1);
    }
}
