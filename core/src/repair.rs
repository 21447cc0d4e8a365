//! Undoing the damage XML picks up when it is copied from a web page or an e-mail.
//!
//! Blogs, wikis and mail clients turn spaces into no-break spaces (U+00A0) so that the browser
//! keeps the indentation. Pasted back, `<t:ItemId\u{a0}Id="...">` is no longer XML: the parser
//! stops at the first tag. [`repair_pasted`] undoes exactly that kind of damage and reports every
//! change, so a caller can show the user what was changed and never repairs silently.
//!
//! What is changed:
//! - a space-like character ([`is_pasted_space`]: no-break, figure, narrow, ideographic and the
//!   typographic spaces) inside markup, outside attribute values, becomes a plain space;
//! - the same characters in a run of text that holds nothing but white space (the indentation
//!   between two tags) become plain spaces;
//! - a zero-width space, word joiner or byte-order mark at either of those places is removed;
//! - white space before an `<?xml` declaration at the start is removed (the declaration must
//!   come first).
//!
//! What is never changed: a byte-order mark at the very start, attribute values, text that holds anything but white space (a
//! `MessageText` may well contain a real no-break space), comments, CDATA sections and
//! `<!DOCTYPE ...>` declarations.
//!
//! ```
//! use ews_notify::repair::{repair_pasted, Place};
//!
//! let pasted = "<t:ItemId\u{a0}Id=\"AAMk\"/>";
//! let repair = repair_pasted(pasted);
//! assert_eq!(repair.text, "<t:ItemId Id=\"AAMk\"/>");
//! assert_eq!(repair.changes.len(), 1);
//! assert_eq!(repair.changes[0].offset, 9);
//! assert_eq!(repair.changes[0].place, Place::InsideTag);
//! ```

use std::borrow::Cow;

use serde::Serialize;

/// The repaired text and every change made to get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Repair<'a> {
    /// The repaired text. Borrowed from the input when nothing was changed.
    pub text: Cow<'a, str>,
    /// The changes, in input order. Empty when the input needed no repair.
    pub changes: Vec<Change>,
}

impl Repair<'_> {
    /// Whether anything was changed.
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// One change: a run of `count` identical characters at one place, replaced or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Byte offset of the run in the input.
    pub offset: usize,
    /// Length of the run in the input, in bytes.
    pub length: usize,
    /// Byte offset where the replacement starts in the repaired text.
    pub repaired_offset: usize,
    /// The character found.
    pub found: char,
    /// How many times it occurs in the run.
    pub count: usize,
    /// Its code point, `U+00A0`.
    pub code_point: String,
    /// Its Unicode name in lowercase, `no-break space`.
    pub name: &'static str,
    /// What each occurrence became: `" "`, or `""` when removed.
    pub replacement: &'static str,
    /// Where the run was.
    pub place: Place,
}

/// Where a changed run was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Place {
    /// Inside a tag or an `<?xml ...?>` declaration, outside attribute values.
    InsideTag,
    /// In white space between two tags.
    BetweenTags,
    /// Before the `<?xml` declaration at the start of the text.
    BeforeDeclaration,
}

/// Space-like characters that pasting puts where XML needs a plain space, with their names and
/// what they become.
const PASTED: &[(char, &str, &str)] = &[
    ('\u{00A0}', "no-break space", " "),
    ('\u{2000}', "en quad", " "),
    ('\u{2001}', "em quad", " "),
    ('\u{2002}', "en space", " "),
    ('\u{2003}', "em space", " "),
    ('\u{2004}', "three-per-em space", " "),
    ('\u{2005}', "four-per-em space", " "),
    ('\u{2006}', "six-per-em space", " "),
    ('\u{2007}', "figure space", " "),
    ('\u{2008}', "punctuation space", " "),
    ('\u{2009}', "thin space", " "),
    ('\u{200A}', "hair space", " "),
    ('\u{200B}', "zero width space", ""),
    ('\u{202F}', "narrow no-break space", " "),
    ('\u{205F}', "medium mathematical space", " "),
    ('\u{2060}', "word joiner", ""),
    ('\u{3000}', "ideographic space", " "),
    (
        '\u{FEFF}',
        "zero width no-break space (byte-order mark)",
        "",
    ),
];

/// Whether `c` is a character that pasting puts in place of a plain space (and that XML does
/// not accept as white space).
pub fn is_pasted_space(c: char) -> bool {
    PASTED.iter().any(|(p, _, _)| *p == c)
}

fn pasted(c: char) -> Option<(&'static str, &'static str)> {
    PASTED
        .iter()
        .find(|(p, _, _)| *p == c)
        .map(|(_, name, replacement)| (*name, *replacement))
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Where the scanner is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Character data; the current run started at this byte.
    Text(usize),
    /// Inside `<...>`, outside quotes.
    Tag,
    /// Inside a quoted attribute value.
    Quoted(char),
    /// Inside something left alone until `end`: comment, CDATA, `<!DOCTYPE`.
    Skip(&'static str),
}

/// Collects changes, merging neighbouring identical ones.
struct Changes {
    list: Vec<Change>,
    /// Bytes removed so far (each replaced character is shorter or removed, never longer).
    shrink: usize,
}

impl Changes {
    fn push(&mut self, offset: usize, c: char, place: Place) {
        let Some((name, replacement)) = pasted(c) else {
            return;
        };
        let len = c.len_utf8();
        let repaired_offset = offset - self.shrink;
        self.shrink += len - replacement.len();
        if let Some(last) = self.list.last_mut()
            && last.found == c
            && last.place == place
            && last.offset + last.length == offset
        {
            last.length += len;
            last.count += 1;
            return;
        }
        self.list.push(Change {
            offset,
            length: len,
            repaired_offset,
            found: c,
            count: 1,
            code_point: format!("U+{:04X}", u32::from(c)),
            name,
            replacement,
            place,
        });
    }
}

/// Repairs the damage pasting does to XML (see the [module docs](self)) and lists every change.
///
/// Returns the input borrowed when there is nothing to repair. Never fails: text that is not
/// XML at all comes back unchanged or with only the changes listed.
pub fn repair_pasted(text: &str) -> Repair<'_> {
    let mut changes = Changes {
        list: Vec::new(),
        shrink: 0,
    };

    // A byte-order mark at the very start is legitimate: keep it and look after it.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // White space before a leading `<?xml` declaration.
    let lead_len = text[bom..]
        .char_indices()
        .find(|&(_, c)| !(is_xml_space(c) || is_pasted_space(c)))
        .map_or(text.len() - bom, |(i, _)| i);
    let mut start = bom;
    if lead_len > 0 && text[bom + lead_len..].starts_with("<?xml") {
        for (i, c) in text[bom..bom + lead_len].char_indices() {
            let name = pasted(c).map_or_else(|| xml_space_name(c), |(name, _)| name);
            push_removal(&mut changes, bom + i, c, name);
        }
        start = bom + lead_len;
    }

    let mut state = State::Text(start);
    let chars = text[start..].char_indices().map(|(i, c)| (i + start, c));
    for (i, c) in chars {
        match state {
            State::Text(run_start) => {
                if c == '<' {
                    text_run(&mut changes, text, run_start, i);
                    let rest = &text[i..];
                    state = if rest.starts_with("<!--") {
                        State::Skip("-->")
                    } else if rest.starts_with("<![CDATA[") {
                        State::Skip("]]>")
                    } else if rest.starts_with("<!") {
                        State::Skip(">")
                    } else {
                        State::Tag
                    };
                }
            }
            State::Tag => match c {
                '"' | '\'' => state = State::Quoted(c),
                '>' => state = State::Text(i + 1),
                _ => changes.push(i, c, Place::InsideTag),
            },
            State::Quoted(q) => {
                if c == q {
                    state = State::Tag;
                }
            }
            State::Skip(end) => {
                if text[..i + c.len_utf8()].ends_with(end) {
                    state = State::Text(i + c.len_utf8());
                }
            }
        }
    }
    if let State::Text(run_start) = state {
        text_run(&mut changes, text, run_start, text.len());
    }

    if changes.list.is_empty() {
        return Repair {
            text: Cow::Borrowed(text),
            changes: Vec::new(),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for change in &changes.list {
        out.push_str(&text[at..change.offset]);
        for _ in 0..change.count {
            out.push_str(change.replacement);
        }
        at = change.offset + change.length;
    }
    out.push_str(&text[at..]);
    Repair {
        text: Cow::Owned(out),
        changes: changes.list,
    }
}

/// Records the removal of a leading white-space character.
fn push_removal(changes: &mut Changes, offset: usize, c: char, name: &'static str) {
    let len = c.len_utf8();
    let repaired_offset = offset - changes.shrink;
    changes.shrink += len;
    if let Some(last) = changes.list.last_mut()
        && last.found == c
        && last.offset + last.length == offset
    {
        last.length += len;
        last.count += 1;
        return;
    }
    changes.list.push(Change {
        offset,
        length: len,
        repaired_offset,
        found: c,
        count: 1,
        code_point: format!("U+{:04X}", u32::from(c)),
        name,
        replacement: "",
        place: Place::BeforeDeclaration,
    });
}

fn xml_space_name(c: char) -> &'static str {
    match c {
        '\t' => "character tabulation",
        '\n' => "line feed",
        '\r' => "carriage return",
        _ => "space",
    }
}

/// Repairs the text run `start..end` if it is white space only.
fn text_run(changes: &mut Changes, text: &str, start: usize, end: usize) {
    let run = &text[start..end];
    if !run.chars().all(|c| is_xml_space(c) || is_pasted_space(c)) {
        return;
    }
    for (i, c) in run.char_indices() {
        changes.push(start + i, c, Place::BetweenTags);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// The seed blog's push envelope, as a browser copies it: every indentation space and every
    /// space between attributes is a no-break space.
    const DAMAGED: &str = "<?xml\u{a0}version=\"1.0\"\u{a0}encoding=\"utf-8\"?>\n\
        <soap11:Envelope\u{a0}xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">\n\
        \u{a0}\u{a0}<soap11:Body>\n\
        \u{a0}\u{a0}\u{a0}\u{a0}<t:ItemId\u{a0}Id=\"AA\u{a0}MK\"\u{a0}ChangeKey='DwAAAA=='/>\n\
        \u{a0}\u{a0}\u{a0}\u{a0}<m:MessageText>Mailbox\u{a0}full</m:MessageText>\n\
        \u{a0}\u{a0}</soap11:Body>\n\
        </soap11:Envelope>";

    #[test]
    fn no_break_spaces_in_tags_and_indentation_become_spaces() {
        let r = repair_pasted(DAMAGED);
        assert_eq!(
            r.text,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  \
             <soap11:Body>\n    \
             <t:ItemId Id=\"AA\u{a0}MK\" ChangeKey='DwAAAA=='/>\n    \
             <m:MessageText>Mailbox\u{a0}full</m:MessageText>\n  \
             </soap11:Body>\n\
             </soap11:Envelope>"
        );
    }

    #[test]
    fn attribute_values_and_text_content_keep_their_no_break_spaces() {
        let r = repair_pasted(DAMAGED);
        assert!(
            r.text.contains("Id=\"AA\u{a0}MK\""),
            "attribute value untouched"
        );
        assert!(
            r.text.contains(">Mailbox\u{a0}full<"),
            "text content untouched"
        );
    }

    #[test]
    fn every_change_is_reported_with_its_offset() {
        let r = repair_pasted(DAMAGED);
        for c in &r.changes {
            let original = &DAMAGED[c.offset..c.offset + c.length];
            assert!(original.chars().all(|x| x == c.found), "{c:?}");
            assert_eq!(original.chars().count(), c.count);
            let replaced = c.replacement.repeat(c.count);
            assert_eq!(
                &r.text[c.repaired_offset..c.repaired_offset + replaced.len()],
                replaced
            );
        }
        // Two in the declaration, one in Envelope, then per line: indentation (1 run) plus
        // attribute gaps.
        let inside: usize = r
            .changes
            .iter()
            .filter(|c| c.place == Place::InsideTag)
            .map(|c| c.count)
            .sum();
        let between: usize = r
            .changes
            .iter()
            .filter(|c| c.place == Place::BetweenTags)
            .map(|c| c.count)
            .sum();
        assert_eq!(inside, 2 + 1 + 2);
        assert_eq!(between, 2 + 4 + 4 + 2);
        assert_eq!(r.changes[0].offset, 5);
        assert_eq!(r.changes[0].code_point, "U+00A0");
        assert_eq!(r.changes[0].name, "no-break space");
    }

    #[test]
    fn a_run_of_indentation_is_one_change() {
        let r = repair_pasted("<a>\n\u{a0}\u{a0}\u{a0}<b/></a>");
        assert_eq!(r.changes.len(), 1);
        let c = &r.changes[0];
        assert_eq!((c.offset, c.length, c.count), (4, 6, 3));
        assert_eq!(c.place, Place::BetweenTags);
        assert_eq!(r.text, "<a>\n   <b/></a>");
    }

    #[test]
    fn clean_xml_is_returned_borrowed_and_unchanged() {
        let clean = "<?xml version=\"1.0\"?>\n<a x=\"1\">\n  <b>\u{a0}text</b>\n</a>\n";
        let r = repair_pasted(clean);
        assert!(matches!(r.text, Cow::Borrowed(_)));
        assert!(!r.changed());
    }

    #[test]
    fn comments_cdata_and_doctype_are_left_alone() {
        let text = "<a><!--\u{a0}x\u{a0}--><![CDATA[\u{a0}]]><!DOCTYPE\u{a0}a></a>";
        let r = repair_pasted(text);
        assert!(!r.changed(), "{:?}", r.changes);
    }

    #[test]
    fn white_space_before_the_declaration_is_removed() {
        let r = repair_pasted("\n\u{a0} <?xml version=\"1.0\"?><a/>");
        assert_eq!(r.text, "<?xml version=\"1.0\"?><a/>");
        assert_eq!(r.changes.len(), 3);
        assert!(
            r.changes
                .iter()
                .all(|c| c.place == Place::BeforeDeclaration)
        );
        assert_eq!(r.changes[1].repaired_offset, 0);
    }

    #[test]
    fn a_leading_byte_order_mark_is_kept() {
        let r = repair_pasted("\u{feff}<?xml version=\"1.0\"?><a/>");
        assert!(!r.changed(), "{:?}", r.changes);
        let r = repair_pasted("\u{feff}\n<?xml version=\"1.0\"?><a/>");
        assert_eq!(r.text, "\u{feff}<?xml version=\"1.0\"?><a/>");
        assert_eq!((r.changes[0].offset, r.changes[0].repaired_offset), (3, 3));
    }

    #[test]
    fn leading_white_space_without_a_declaration_is_kept() {
        let r = repair_pasted("\n  <a/>");
        assert!(!r.changed());
    }

    #[test]
    fn zero_width_characters_in_tags_are_removed() {
        let r = repair_pasted("<a\u{200b} b=\"1\"\u{feff}/>");
        assert_eq!(r.text, "<a b=\"1\"/>");
        assert!(r.changes.iter().all(|c| c.replacement.is_empty()));
        assert_eq!(r.changes[1].repaired_offset, 8);
    }

    #[test]
    fn other_space_like_characters_are_replaced_in_tags() {
        let r = repair_pasted("<a\u{202f}b=\"1\"\u{3000}c=\"2\"/>");
        assert_eq!(r.text, "<a b=\"1\" c=\"2\"/>");
        assert_eq!(r.changes[0].name, "narrow no-break space");
        assert_eq!(r.changes[1].code_point, "U+3000");
    }

    #[test]
    fn text_that_is_not_xml_never_panics() {
        for text in [
            "",
            "<",
            "<a",
            "<a \"",
            "\u{a0}",
            "<!--",
            "<![CDATA[",
            "&\u{a0};",
        ] {
            let _ = repair_pasted(text);
        }
    }

    #[test]
    fn repaired_seed_envelope_parses_as_xml() {
        let r = repair_pasted(DAMAGED);
        let mut reader = quick_xml::Reader::from_str(&r.text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("repaired text is not XML: {e}"),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn changes_rebuild_the_repaired_text_and_repair_is_idempotent(
            text in "[<>/?!\\-\\[\\]a=\"' \n\u{a0}\u{200b}\u{3000}x]{0,40}"
        ) {
            let r = repair_pasted(&text);
            let mut rebuilt = String::new();
            let mut at = 0;
            for c in &r.changes {
                proptest::prop_assert!(c.offset >= at);
                rebuilt.push_str(&text[at..c.offset]);
                proptest::prop_assert_eq!(rebuilt.len(), c.repaired_offset);
                rebuilt.push_str(&c.replacement.repeat(c.count));
                at = c.offset + c.length;
            }
            rebuilt.push_str(&text[at..]);
            proptest::prop_assert_eq!(&rebuilt, &*r.text);
            let again = repair_pasted(&r.text);
            proptest::prop_assert!(!again.changed(), "second repair changed {:?}", again.changes);
        }
    }
}
