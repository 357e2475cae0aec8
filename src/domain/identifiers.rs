//! What a user's identifiers and names may be: their formats and bounds, stated once and read
//! by the API's writes and by data documents.

/// The most email addresses, and the most phone numbers, one user may have.
pub const MAX_IDENTIFIERS: usize = 10;
/// The most characters of an email address.
pub const MAX_EMAIL_CHARS: usize = 320;
/// The fewest and most characters of a username.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 4..=64;
/// The most characters of a first or last name, an `external_id` or a locale.
pub const MAX_TEXT_CHARS: usize = 256;
/// The fewest characters of a password (unless `skip_password_checks`).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Why `value` is not an email address Clerk would take: one `@` with something on each side,
/// a dot in the domain, no spaces, at most [`MAX_EMAIL_CHARS`].
pub fn email_problem(value: &str) -> Option<String> {
    if value.chars().count() > MAX_EMAIL_CHARS {
        return Some(format!("must be at most {MAX_EMAIL_CHARS} characters"));
    }
    let well_formed = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-'))
            && domain.contains('.')
    }) && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    (!well_formed).then(|| "must be a valid email address".to_owned())
}

/// Why `value` is not a phone number in E.164 form (`+` then 7 to 15 digits, no leading 0).
pub fn phone_problem(value: &str) -> Option<String> {
    let digits = value.strip_prefix('+').unwrap_or_default();
    let well_formed = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    (!well_formed)
        .then(|| "must be a phone number in E.164 format, such as +15555550100".to_owned())
}

/// Why `value` is not a username: 4 to 64 of lower-case letters, digits, `_` and `-` (upper
/// case is taken and stored lower-case).
pub fn username_problem(value: &str) -> Option<String> {
    let well_formed = USERNAME_CHARS.contains(&value.chars().count())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (!well_formed).then(|| {
        format!(
            "must be {} to {} characters of letters, digits, `_` and `-`",
            USERNAME_CHARS.start(),
            USERNAME_CHARS.end()
        )
    })
}

/// Why `value` is not an organization slug: lower-case letters and digits in runs joined by
/// single dashes, at most [`MAX_TEXT_CHARS`] (upper case is refused, not folded).
pub fn slug_problem(value: &str) -> Option<String> {
    let well_formed = !value.is_empty()
        && value.len() <= MAX_TEXT_CHARS
        && value.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    (!well_formed).then(|| {
        format!("must be lower-case letters and digits joined by single dashes, at most {MAX_TEXT_CHARS} characters")
    })
}

/// Why `value` is not an organization name: empty, longer than [`MAX_TEXT_CHARS`], or with a URL
/// or HTML in it.
pub fn organization_name_problem(value: &str) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || value.chars().count() > MAX_TEXT_CHARS {
        return Some(format!("must be 1 to {MAX_TEXT_CHARS} characters"));
    }
    (value.contains("://") || value.contains('<') || value.contains('>'))
        .then(|| "may not contain URLs or HTML".to_owned())
}

/// The slug a name gives: lower-cased, every run of other characters a dash, trimmed of dashes
/// (`"Acme, Inc."` is `acme-inc`); `org` when nothing is left.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug
        .trim_end_matches('-')
        .chars()
        .take(MAX_TEXT_CHARS - 8)
        .collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "org".to_owned()
    } else {
        slug.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phones_and_usernames_are_checked_for_their_form() {
        assert_eq!(email_problem("ada@example.com"), None);
        for bad in [
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@x.y",
            "a@b@x.y",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
        assert!(email_problem(&format!("{}@x.y", "a".repeat(MAX_EMAIL_CHARS))).is_some());
        assert_eq!(phone_problem("+15555550100"), None);
        for bad in ["15555550100", "+1555", "+0555555010", "+1555-555-0100"] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(username_problem("ada_l-1"), None);
        assert_eq!(username_problem("Ada_L"), None);
        for bad in ["ada", "ada.l", &"a".repeat(65)] {
            assert!(username_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn slugs_are_checked_and_names_make_them() {
        assert_eq!(slug_problem("acme-corp-2"), None);
        for bad in ["Acme", "acme--corp", "-acme", "acme-", "acme_corp", ""] {
            assert!(slug_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(slugify("Acme, Inc."), "acme-inc");
        assert_eq!(slugify("  Zoë's  Café 2 "), "zo-s-caf-2");
        assert_eq!(slugify("!!!"), "org");
        assert!(organization_name_problem("Acme <b>").is_some());
        assert!(organization_name_problem("see https://x.io").is_some());
        assert_eq!(organization_name_problem("Acme Corp"), None);
    }
}
