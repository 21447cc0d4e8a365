//! ConvertId (the version probe), ResolveNames and ExpandDL.

use super::prelude::*;

pub(super) fn convert_id(req: &Request) -> String {
    // Clients send ConvertId with a dummy id to read the server version from the answer's
    // header; a real id of another format is not modelled.
    let n = req.all("AlternateId").count().max(1);
    let mut ms = String::new();
    for _ in 0..n {
        ms.push_str(&error_message("ConvertId", Refusal::InvalidIdMalformed, ""));
    }
    soap::response("ConvertId", &ms)
}

/// A `t:Mailbox` for an address of a simulated mailbox or group.
pub(super) fn mailbox_xml(out: &mut String, address: &str, group: bool) {
    let name = address.split('@').next().unwrap_or(address);
    let _ = write!(
        out,
        "<t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{}</t:EmailAddress>\
<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>{}</t:MailboxType></t:Mailbox>",
        esc(name),
        esc(address),
        if group { "PublicDL" } else { "Mailbox" }
    );
}

pub(super) fn resolve_names(shared: &Shared, req: &Request) -> String {
    let op = "ResolveNames";
    let entry = req
        .text("UnresolvedEntry")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let entry = entry.strip_prefix("smtp:").unwrap_or(&entry).to_string();
    let mut found: Vec<(String, bool)> = Vec::new();
    {
        let st = lock(&shared.state);
        let mut names: Vec<&String> = st.by_smtp.keys().collect();
        names.sort();
        for smtp in names {
            found.push((smtp.clone(), false));
        }
    }
    for dl in lock(&shared.groups).keys() {
        found.push((dl.clone(), true));
    }
    let exact: Vec<(String, bool)> = found.iter().filter(|(a, _)| *a == entry).cloned().collect();
    let matches = if exact.is_empty() && !entry.is_empty() {
        found
            .into_iter()
            .filter(|(a, _)| a.starts_with(&entry))
            .collect()
    } else {
        exact
    };
    let m = match matches.len() {
        0 => error_message(op, Refusal::NameResolutionNoResults, ""),
        n => {
            let mut m = if n == 1 {
                soap::success_open(op)
            } else {
                let r = Refusal::NameResolutionMultipleResults;
                format!(
                    "<m:{op}ResponseMessage ResponseClass=\"Warning\"><m:MessageText>{}</m:MessageText>\
<m:ResponseCode>{}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>",
                    esc(r.text()),
                    r.code()
                )
            };
            let _ = write!(
                m,
                "<m:ResolutionSet TotalItemsInView=\"{n}\" IncludesLastItemInRange=\"true\">"
            );
            for (address, group) in &matches {
                m.push_str("<t:Resolution>");
                mailbox_xml(&mut m, address, *group);
                m.push_str("</t:Resolution>");
            }
            m.push_str("</m:ResolutionSet></m:ResolveNamesResponseMessage>");
            m
        }
    };
    soap::response(op, &m)
}

pub(super) fn expand_dl(shared: &Shared, req: &Request) -> String {
    let op = "ExpandDL";
    let address = req
        .text("EmailAddress")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let members = lock(&shared.groups).get(&address).cloned();
    let m = match members {
        None => error_message(op, Refusal::NameResolutionNoResults, ""),
        Some(members) => {
            let groups = lock(&shared.groups).clone();
            let mut m = soap::success_open(op);
            let _ = write!(
                m,
                "<m:DLExpansion TotalItemsInView=\"{}\" IncludesLastItemInRange=\"true\">",
                members.len()
            );
            for member in &members {
                mailbox_xml(&mut m, member, groups.contains_key(member));
            }
            m.push_str("</m:DLExpansion></m:ExpandDLResponseMessage>");
            m
        }
    };
    soap::response(op, &m)
}
