//! The client's address, for the audit log and the per-address throttle. Behind reverse
//! proxies, `X-Forwarded-For` is trusted for exactly as many hops as configured
//! (`EU_TRUSTED_PROXY_HOPS`): entries further left were written by the client and prove nothing.

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
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(|entry| entry.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .ok()?;
    // The last `trusted_hops` proxies each appended the address they saw; the one our
    // outermost proxy saw is `trusted_hops` from the end.
    forwarded
        .len()
        .checked_sub(trusted_hops)
        .map(|index| forwarded[index])
        .or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    #[test]
    fn only_trusted_hops_are_believed() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let spoofed = headers("203.0.113.9, 198.51.100.7");
        assert_eq!(
            client_ip(&spoofed, Some(peer), 0),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            client_ip(&spoofed, Some(peer), 1),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            client_ip(&spoofed, Some(peer), 2),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            client_ip(&headers("198.51.100.7"), Some(peer), 2),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(client_ip(&headers("not an address"), Some(peer), 1), None);
    }
}
