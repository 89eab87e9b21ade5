//! A TCP relay in front of a real server that a test can cut and restore: while cut, open
//! connections are dropped and new ones are refused (closed at once), as when the server or the
//! network goes down. Included with `#[path]` by the tests that need it.

#![allow(dead_code)]

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use tokio::net::{TcpListener, TcpStream};

pub struct Outage {
    pub address: String,
    up: Arc<AtomicBool>,
    /// Bumped on each cut, so relays of an older generation stop.
    generation: Arc<AtomicU64>,
}

impl Outage {
    /// Relays 127.0.0.1:<random port> to `target` (`host:port`).
    pub async fn relay_to(target: &str) -> Outage {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let up = Arc::new(AtomicBool::new(true));
        let generation = Arc::new(AtomicU64::new(0));
        let target = target.to_owned();
        let (relay_up, relay_generation) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !relay_up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let born = relay_generation.load(Ordering::SeqCst);
                let generation = relay_generation.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                    let cut = async {
                        while generation.load(Ordering::SeqCst) == born {
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = copy => {}
                        _ = cut => {}
                    }
                });
            }
        });
        Outage {
            address,
            up,
            generation,
        }
    }

    /// Returns once the open connections are dropped (their relays look every 20 ms).
    pub async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}
