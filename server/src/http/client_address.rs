//! The client's address, for the audit log and the per-address throttle. Behind reverse
//! proxies, `X-Forwarded-For` is trusted for exactly as many hops as configured
//! (`EU_TRUSTED_PROXY_HOPS`): entries further left were written by the client and prove nothing.
//!
//! Entries are read one by one from the right. Only the ones our proxies wrote must parse:
//! whatever the client put to their left (`x`, bytes that are not UTF-8, a hundred commas) is
//! never looked at, so it can neither choose the address nor make it unknown.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;

pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trusted_hops: usize,
) -> Option<IpAddr> {
    let peer = peer.map(|address| address.ip());
    if trusted_hops == 0 {
        return peer;
    }
    // Several header lines are one list, in order (RFC 9110, 5.3).
    let lines: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.as_bytes())
        .collect();
    let mut from_the_right = lines
        .iter()
        .rev()
        .flat_map(|line| line.rsplit(|byte| *byte == b','));
    // The last `trusted_hops` proxies each appended the address they saw; the one our
    // outermost proxy saw is the `trusted_hops`-th from the end.
    let outermost = from_the_right.nth(trusted_hops - 1);
    match outermost.map(parse_entry) {
        Some(Some(address)) => Some(address),
        // Fewer entries than proxies (a request that reached us around them), or an entry our
        // own proxy wrote that does not parse (a misconfiguration): the peer, never nothing, so
        // the per-address brake always has something to count.
        _ => peer,
    }
}

fn parse_entry(entry: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(entry).ok()?.trim();
    // Some proxies write IPv6 in brackets, as in `Forwarded`.
    // With a port (`1.2.3.4:5678`, `[2001:db8::1]:443`), as some proxies write it.
    if let Ok(with_port) = text.parse::<std::net::SocketAddr>() {
        return Some(with_port.ip());
    }
    let text = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(text);
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in forwarded {
            headers.append(
                "x-forwarded-for",
                http::HeaderValue::from_bytes(line).unwrap(),
            );
        }
        headers
    }

    fn peer() -> Option<SocketAddr> {
        Some("10.0.0.5:4000".parse().unwrap())
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn only_trusted_hops_are_believed() {
        let spoofed = headers(&[b"203.0.113.9, 198.51.100.7"]);
        assert_eq!(client_ip(&spoofed, peer(), 0), ip("10.0.0.5"));
        assert_eq!(client_ip(&spoofed, peer(), 1), ip("198.51.100.7"));
        assert_eq!(client_ip(&spoofed, peer(), 2), ip("203.0.113.9"));
        assert_eq!(
            client_ip(&headers(&[b"198.51.100.7"]), peer(), 2),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn garbage_left_of_the_trusted_hop_is_ignored() {
        // What nginx's `$proxy_add_x_forwarded_for` makes of a client's own header.
        for client_wrote in [
            &b"x"[..],
            b"not an address",
            b"",
            b",,,,",
            b"999.1.1.1",
            b"\xff\xfe",
            b"1.2.3.4, \x80garbage",
        ] {
            let mut line = client_wrote.to_vec();
            line.extend_from_slice(b", 198.51.100.7");
            assert_eq!(
                client_ip(&headers(&[&line]), peer(), 1),
                ip("198.51.100.7"),
                "{client_wrote:?}"
            );
        }
    }

    #[test]
    fn lines_are_one_list_read_from_the_right() {
        let two_lines = headers(&[b"x, 203.0.113.9", b"198.51.100.7"]);
        assert_eq!(client_ip(&two_lines, peer(), 1), ip("198.51.100.7"));
        assert_eq!(client_ip(&two_lines, peer(), 2), ip("203.0.113.9"));
        assert_eq!(client_ip(&two_lines, peer(), 3), ip("10.0.0.5"));
    }

    #[test]
    fn a_broken_trusted_entry_falls_back_to_the_peer() {
        assert_eq!(
            client_ip(&headers(&[b"198.51.100.7, x"]), peer(), 1),
            ip("10.0.0.5")
        );
        assert_eq!(client_ip(&HeaderMap::new(), peer(), 1), ip("10.0.0.5"));
    }

    #[test]
    fn ipv6_entries_with_or_without_brackets() {
        let line = headers(&[b"x, [2001:db8::1]"]);
        assert_eq!(client_ip(&line, peer(), 1), ip("2001:db8::1"));
        let line = headers(&[b"2001:db8::2"]);
        assert_eq!(client_ip(&line, peer(), 1), ip("2001:db8::2"));
        let line = headers(&[b"x, [2001:db8::3]:443"]);
        assert_eq!(client_ip(&line, peer(), 1), ip("2001:db8::3"));
        let line = headers(&[b"x, 198.51.100.8:5678"]);
        assert_eq!(client_ip(&line, peer(), 1), ip("198.51.100.8"));
    }
}
