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
}
