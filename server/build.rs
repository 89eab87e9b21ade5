// `sqlx::migrate!` embeds the migration files at compile time; without this, adding one would
// leave a stale binary that never applies it.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
