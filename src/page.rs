//! What the page's address asks for: embed mode, read-only, the origins an
//! embedding page may send designs from, and a design link in the hash.

/// Options read from `location.search` and `location.hash`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOptions {
    /// `?embed=1`: the compact layout for an iframe.
    pub embed: bool,
    /// `?readonly=1`: show the design, refuse edits.
    pub readonly: bool,
    /// `?allow=https://a.example,https://b.example`: origins whose
    /// `load-design` messages are accepted, and where events are posted.
    pub allowed_origins: Vec<String>,
    /// The hash without its `#`, when it holds something.
    pub hash: Option<String>,
}

impl PageOptions {
    /// Reads the options of the current page.
    pub fn from_location() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let hash = location
            .as_ref()
            .and_then(|l| l.hash().ok())
            .unwrap_or_default();
        Self::parse(&search, &hash)
    }

    /// Reads options from a query string (`?a=1&b=2`) and a hash (`#…`).
    pub fn parse(search: &str, hash: &str) -> Self {
        let mut options = PageOptions::default();
        for pair in search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "embed" => options.embed = is_on(&value),
                "readonly" => options.readonly = is_on(&value),
                "allow" => options.allowed_origins.extend(
                    value
                        .split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| o.starts_with("https://") || o.starts_with("http://")),
                ),
                _ => {}
            }
        }
        let hash = hash.trim_start_matches('#').trim();
        if !hash.is_empty() {
            options.hash = Some(hash.to_string());
        }
        options
    }

    /// Whether messages from `origin` may load a design.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

fn is_on(value: &str) -> bool {
    matches!(value, "" | "1" | "true" | "yes" | "on")
}

/// Decodes `%XX` escapes and `+` (space) of a query value; a bad escape is
/// kept as it is.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
