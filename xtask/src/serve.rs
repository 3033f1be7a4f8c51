//! `cargo xtask serve` (Trunk's dev server with live reload) and `cargo xtask build` (the
//! release static site in dist/).

use std::io;

use crate::setup::Ctx;
use crate::{size, test};

/// Trunk.toml pins the address and port; printed here so the URL is the last thing set-up says.
pub const URL: &str = "http://127.0.0.1:8080/";

pub fn serve(ctx: &Ctx) -> io::Result<bool> {
    ctx.tools()?;
    println!();
    println!("synack: serving on {URL} (live reload; Ctrl-C to stop)");
    println!();
    // --offline: never let Trunk download a tool (Trunk.toml says so too).
    let status = ctx.cmd("trunk").args(["serve", "--offline"]).run()?;
    Ok(status.success())
}

pub fn build(ctx: &Ctx) -> io::Result<bool> {
    if !test::trunk_build(ctx)? {
        return Ok(false);
    }
    println!();
    let report = size::measure(&ctx.root.join("dist"))?;
    report.print();
    println!();
    println!(
        "release site in {}: copy it to any static host, or embed a scene (see README.md)",
        ctx.root.join("dist").display()
    );
    Ok(true)
}

/// Rewrites index.html's prerendered first frames from what a fresh release build draws (they
/// are the app's own markup, so they are taken from the app), then builds again so that dist/
/// ships them. e2e/prerender.test.mjs fails while they are stale.
pub fn prerender(ctx: &Ctx) -> io::Result<bool> {
    if !test::trunk_build(ctx)? {
        return Ok(false);
    }
    let written = {
        let (_server, url) = test::static_server(ctx)?;
        ctx.cmd("node")
            .arg("e2e/prerender.mjs")
            .env("SYNACK_BASE_URL", &url)
            .run_tee()?
            .ok()
    };
    Ok(written && build(ctx)?)
}
