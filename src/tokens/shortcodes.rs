//! JWT template shortcodes: `{{user.id}}`, `{{user.public_metadata.plan || 'free'}}`.
//!
//! - A string that is exactly one shortcode keeps the value's JSON type.
//! - Shortcodes inside other text are interpolated as text (`null` as nothing).
//! - Dot paths reach into metadata; `||` takes the first operand that is neither `null` nor an
//!   empty string, else the last one; operands are shortcodes or quoted literals.
//! - An unknown shortcode is `null`.

use serde_json::{Map, Value};

use crate::domain::{Organization, User};

/// What shortcodes can read: the session's user and its active organization with the role the
/// user holds there.
#[derive(Debug, Clone, Copy)]
pub struct ShortcodeContext<'a> {
    pub user: &'a User,
    pub organization: Option<(&'a Organization, &'a str)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Vec<String>),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Text(String),
    Shortcode(Vec<Operand>),
}

/// Checks every string of `claims` for well-formed shortcodes; the error names the bad string.
pub fn check(claims: &Value) -> Result<(), String> {
    match claims {
        Value::String(text) => parse(text).map(|_| ()),
        Value::Array(items) => items.iter().try_for_each(check),
        Value::Object(object) => object.values().try_for_each(check),
        _ => Ok(()),
    }
}

/// `claims` with every shortcode replaced by its value in `context`.
pub fn render(claims: &Value, context: ShortcodeContext<'_>) -> Value {
    match claims {
        Value::String(text) => render_string(text, context),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| render(item, context)).collect())
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| (key.clone(), render(value, context)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn render_string(text: &str, context: ShortcodeContext<'_>) -> Value {
    // Strings were checked when the template was loaded; a malformed one stays as written.
    let Ok(segments) = parse(text) else {
        return Value::String(text.to_owned());
    };
    match segments.as_slice() {
        [Segment::Shortcode(operands)] => evaluate(operands, context),
        _ => {
            let mut rendered = String::new();
            for segment in &segments {
                match segment {
                    Segment::Text(text) => rendered.push_str(text),
                    Segment::Shortcode(operands) => match evaluate(operands, context) {
                        Value::Null => {}
                        Value::String(value) => rendered.push_str(&value),
                        other => rendered.push_str(&other.to_string()),
                    },
                }
            }
            Value::String(rendered)
        }
    }
}

fn evaluate(operands: &[Operand], context: ShortcodeContext<'_>) -> Value {
    let mut last = Value::Null;
    for operand in operands {
        last = match operand {
            Operand::Literal(value) => value.clone(),
            Operand::Path(path) => lookup(path, context),
        };
        let empty = matches!(&last, Value::Null) || last.as_str() == Some("");
        if !empty {
            return last;
        }
    }
    last
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |value| Value::String(value.to_owned()))
}

fn lookup(path: &[String], context: ShortcodeContext<'_>) -> Value {
    let user = context.user;
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["user", "id"] => Value::String(user.id.to_string()),
        ["user", "first_name"] => text(user.first_name.as_deref()),
        ["user", "last_name"] => text(user.last_name.as_deref()),
        ["user", "full_name"] => text(user.full_name().as_deref()),
        ["user", "username"] => text(user.username.as_deref()),
        ["user", "primary_email_address"] => text(user.email_address().map(|email| email.value)),
        ["user", "primary_phone_address"] => text(user.phone_number().map(|phone| phone.value)),
        ["user", "image_url"] => Value::String(user.image_url.to_string()),
        ["user", "created_at"] => Value::from(user.created_at.div_euclid(1000)),
        ["user", "email_verified"] => {
            Value::Bool(user.email_address().is_some_and(|email| email.verified()))
        }
        ["user", "phone_number_verified"] => {
            Value::Bool(user.phone_number().is_some_and(|phone| phone.verified()))
        }
        ["user", "public_metadata", rest @ ..] => dig(&user.public_metadata, rest),
        ["user", "unsafe_metadata", rest @ ..] => dig(&user.unsafe_metadata, rest),
        ["org", field] => match (context.organization, *field) {
            (Some((organization, _)), "id") => Value::String(organization.id.to_string()),
            (Some((organization, _)), "name") => Value::String(organization.name.to_string()),
            (Some((organization, _)), "slug") => Value::String(organization.slug.to_string()),
            (Some((_, role)), "role") => Value::String(role.to_owned()),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

fn dig(value: &Value, path: &[&str]) -> Value {
    path.iter()
        .try_fold(value, |value, key| value.get(key))
        .cloned()
        .unwrap_or(Value::Null)
}

fn parse(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            segments.push(Segment::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("`{text}`: a `{{{{` is never closed"))?;
        segments.push(Segment::Shortcode(parse_expression(&after[..end], text)?));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        segments.push(Segment::Text(rest.to_owned()));
    }
    Ok(segments)
}

fn parse_expression(expression: &str, text: &str) -> Result<Vec<Operand>, String> {
    split_alternatives(expression)
        .into_iter()
        .map(|operand| parse_operand(operand.trim(), text))
        .collect()
}

/// Splits on `||` outside quotes.
fn split_alternatives(expression: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut chars = expression.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '|') if chars.peek().map(|(_, next)| *next) == Some('|') => {
                parts.push(&expression[start..index]);
                chars.next();
                start = index + 2;
            }
            (None, _) => {}
        }
    }
    parts.push(&expression[start..]);
    parts
}

fn parse_operand(operand: &str, text: &str) -> Result<Operand, String> {
    for quote in ['\'', '"'] {
        if let Some(inner) = operand
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return Ok(Operand::Literal(Value::String(inner.to_owned())));
        }
    }
    match operand {
        "null" => return Ok(Operand::Literal(Value::Null)),
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        _ => {}
    }
    if let Ok(number) = operand.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(number)));
    }
    let path: Vec<String> = operand.split('.').map(str::to_owned).collect();
    let well_formed = path.iter().all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if well_formed {
        Ok(Operand::Path(path))
    } else {
        Err(format!(
            "`{text}`: `{operand}` is neither a shortcode nor a quoted literal"
        ))
    }
}

#[cfg(test)]
mod tests {

    use rand::SeedableRng;
    use serde_json::json;

    use super::*;
    use crate::domain::{OrganizationId, testing};

    fn user() -> User {
        User {
            public_metadata: json!({"plan": "pro", "limits": {"seats": 5, "tags": ["a"]}, "empty": ""}),
            private_metadata: json!({"stripe_customer": "cus_secret"}),
            ..testing::user(5)
        }
    }

    #[test]
    fn private_metadata_never_reaches_a_token() {
        assert_eq!(rendered(json!("{{user.private_metadata}}")), Value::Null);
        assert_eq!(
            rendered(json!("{{user.private_metadata.stripe_customer}}")),
            Value::Null
        );
        assert_eq!(
            rendered(json!("id={{user.private_metadata.stripe_customer}}")),
            json!("id=")
        );
    }

    fn organization() -> Organization {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        Organization::new(OrganizationId::random(&mut rng), "Acme", "acme", 1_000)
    }

    fn rendered(template: Value) -> Value {
        let user = user();
        render(
            &template,
            ShortcodeContext {
                user: &user,
                organization: None,
            },
        )
    }

    #[test]
    fn a_whole_string_shortcode_keeps_its_json_type() {
        assert_eq!(rendered(json!("{{user.email_verified}}")), json!(true));
        assert_eq!(rendered(json!("{{user.created_at}}")), json!(1_700_000_123));
        assert_eq!(
            rendered(json!("{{user.public_metadata.limits}}")),
            json!({"seats": 5, "tags": ["a"]})
        );
        assert_eq!(rendered(json!("{{ user.first_name }}")), json!("Ada"));
    }

    #[test]
    fn interpolated_shortcodes_yield_strings() {
        assert_eq!(rendered(json!("Hi {{user.first_name}}!")), json!("Hi Ada!"));
        assert_eq!(
            rendered(json!("seats={{user.public_metadata.limits.seats}}")),
            json!("seats=5")
        );
        assert_eq!(rendered(json!("[{{user.username}}]")), json!("[]"));
        assert_eq!(rendered(json!(" {{user.email_verified}}")), json!(" true"));
    }

    #[test]
    fn dot_paths_reach_into_nested_metadata() {
        assert_eq!(
            rendered(json!("{{user.public_metadata.plan}}")),
            json!("pro")
        );
        assert_eq!(
            rendered(json!("{{user.public_metadata.limits.seats}}")),
            json!(5)
        );
        assert_eq!(
            rendered(json!("{{user.public_metadata.limits.nope.deeper}}")),
            Value::Null
        );
    }

    #[test]
    fn fallbacks_take_the_first_value_that_is_neither_null_nor_empty() {
        assert_eq!(
            rendered(json!("{{user.username || 'anon'}}")),
            json!("anon")
        );
        assert_eq!(
            rendered(json!("{{user.public_metadata.empty || \"x\"}}")),
            json!("x")
        );
        assert_eq!(
            rendered(json!("{{user.username || user.first_name || 'anon'}}")),
            json!("Ada")
        );
        assert_eq!(
            rendered(json!("{{user.full_name || 'anon'}}")),
            json!("Ada Lovelace")
        );
        assert_eq!(
            rendered(json!("{{user.username || user.nickname}}")),
            Value::Null
        );
        assert_eq!(
            rendered(json!("{{user.username || 'a||b'}}")),
            json!("a||b")
        );
        assert_eq!(rendered(json!("{{user.nickname || 42}}")), json!(42));
    }

    #[test]
    fn unknown_shortcodes_are_null() {
        assert_eq!(rendered(json!("{{user.nickname}}")), Value::Null);
        assert_eq!(rendered(json!("{{session.id}}")), Value::Null);
        assert_eq!(rendered(json!("{{org.id}}")), Value::Null);
    }

    #[test]
    fn organization_shortcodes_read_the_active_organization() {
        let user = user();
        let organization = organization();
        let context = ShortcodeContext {
            user: &user,
            organization: Some((&organization, "org:admin")),
        };
        let claims = render(
            &json!({"org": {"id": "{{org.id}}", "slug": "{{org.slug}}", "role": "{{org.role}}", "name": "{{org.name}}"}}),
            context,
        );
        assert_eq!(
            claims,
            json!({"org": {"id": organization.id.to_string(), "slug": "acme", "role": "org:admin", "name": "Acme"}})
        );
    }

    #[test]
    fn nested_claims_and_non_strings_are_walked_and_kept() {
        assert_eq!(
            rendered(
                json!({"a": ["{{user.id}}", 1, null, {"b": "{{user.last_name}}"}], "c": false})
            ),
            json!({"a": [user().id.to_string(), 1, null, {"b": "Lovelace"}], "c": false})
        );
    }

    #[test]
    fn malformed_shortcodes_are_reported_by_check() {
        assert!(check(&json!({"a": "{{user.id"})).is_err());
        assert!(check(&json!(["{{user id}}"])).is_err());
        assert!(check(&json!({"a": "{{user..id}}"})).is_err());
        assert!(check(&json!({"a": "{{user.id || 'x'}} and {{org.slug}}"})).is_ok());
    }
}
