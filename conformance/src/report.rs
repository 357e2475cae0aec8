//! Reports: a table for the terminal, JUnit XML (one test case per check) and JSON.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::runner::{RunReport, Verdict};

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "pass",
        Verdict::Failed => "FAIL",
        Verdict::Observed => "observed",
        Verdict::Deviation => "deviation",
        Verdict::Skipped => "skip",
    }
}

/// A readable table with the details of everything that did not pass, and a summary line.
pub fn table(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<13} {:<11} {:<9} title", "check", "group", "result");
    for check in &report.checks {
        let _ = writeln!(
            out,
            "{:<13} {:<11} {:<9} {}",
            check.id,
            check.group.name(),
            verdict_label(check.verdict),
            check.title
        );
        // A passing check has details only when it says which allowed answer it saw.
        {
            for detail in check.details.iter().take(8) {
                let _ = writeln!(out, "{:<35} - {detail}", "");
            }
            if check.details.len() > 8 {
                let _ = writeln!(out, "{:<35} - … and {} more", "", check.details.len() - 8);
            }
        }
    }
    if let Some(crash) = &report.crash {
        let _ = writeln!(
            out,
            "\nThe target stopped answering during {}; last request: {} ({})",
            crash.check, crash.last_request, crash.reason
        );
    }
    let _ = writeln!(
        out,
        "\n{} passed, {} failed, {} skipped ({} observed, {} known deviations) in {} ms",
        report.count(Verdict::Passed),
        report.count(Verdict::Failed),
        report.count(Verdict::Skipped),
        report.count(Verdict::Observed),
        report.count(Verdict::Deviation),
        report.duration_ms
    );
    out
}

/// JUnit XML: one suite, one test case per check.
pub fn junit(report: &RunReport) -> Result<String, String> {
    let mut suite = TestSuite::new("clerk-conformance");
    for check in &report.checks {
        let status = match check.verdict {
            Verdict::Passed | Verdict::Observed | Verdict::Deviation => TestCaseStatus::success(),
            Verdict::Skipped => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(check.details.join("; "));
                status
            }
            Verdict::Failed => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(check.details.first().cloned().unwrap_or_default());
                status.set_description(check.details.join("\n"));
                status
            }
        };
        let mut case = TestCase::new(format!("{} {}", check.id, check.title), status);
        case.set_classname(format!("clerk-conformance.{}", check.group.name()));
        case.set_time(std::time::Duration::from_millis(
            u64::try_from(check.duration_ms).unwrap_or(u64::MAX),
        ));
        if matches!(check.verdict, Verdict::Observed | Verdict::Deviation) {
            case.set_system_out(check.details.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut junit = Report::new("clerk-conformance");
    junit.add_test_suite(suite);
    junit.to_string().map_err(|error| error.to_string())
}

/// The whole report as JSON.
pub fn json(report: &RunReport) -> Result<String, String> {
    serde_json::to_string_pretty(report).map_err(|error| error.to_string())
}
