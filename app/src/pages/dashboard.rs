//! Staff: the dashboard (`/staff/dashboard`). Charts drawn on the server as inline SVG (no chart
//! service, no script), each named by its heading and followed by its figures as a table for
//! screen readers and for whoever wants the exact numbers (RGAA 1.8: a complex image has an
//! adjacent alternative).

use leptos::prelude::*;

use super::PageTitle;
use crate::{
    current_locale,
    dashboard::{ChannelRow, DashboardView, DelayRow, WeekRow, staff_dashboard},
};

/// The drawing's own units; the SVG scales to the column's width.
const WIDTH: f64 = 600.0;
const LABEL_SIZE: f64 = 13.0;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <PageTitle page=m.staff_dashboard_title.as_str()/>
        <h1>{m.staff_dashboard_title.as_str()}</h1>
        <p class="lead">{m.staff_dashboard_intro.as_str()}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match staff_dashboard().await {
                    Ok(view) => view! { <Dashboard view/> }.into_any(),
                    Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Dashboard(view: DashboardView) -> impl IntoView {
    let m = current_locale().messages();
    let at_risk = crate::i18n::fill(
        &m.staff_dashboard_at_risk_documents,
        &[("count", &view.at_risk_documents.to_string())],
    );
    let interviews = crate::i18n::fill(
        &m.staff_dashboard_at_risk_interviews,
        &[("count", &view.at_risk_interviews.to_string())],
    );
    view! {
        <p class="hint">{view.as_of}</p>
        <section class="dashboard-tile" aria-labelledby="at-risk-title">
            <h2 id="at-risk-title">{m.staff_dashboard_at_risk_title.as_str()}</h2>
            <p class="tile-figure">{at_risk}</p>
            <p>{interviews}</p>
            <p><a href="/staff/at-risk">{m.staff_dashboard_at_risk_link.as_str()}</a></p>
        </section>
        <WeeklyChart weeks=view.weeks/>
        <DelaysChart delays=view.delays/>
        <ChannelsChart channels=view.channels/>
    }
    .into_any()
}

/// The smallest 1, 2 or 5 × 10ⁿ step such that four steps reach `max`.
pub(crate) fn axis_step(max: f64) -> f64 {
    let rough = (max / 4.0).max(1.0);
    let magnitude = 10f64.powi(rough.log10().floor() as i32);
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| step * 4.0 >= max)
        .unwrap_or(10.0 * magnitude)
}

/// A coordinate as SVG wants it: short, no exponent.
fn at(value: f64) -> String {
    format!("{value:.1}")
}

/// The legend, in HTML (it wraps on a phone), beside the drawing it explains.
fn legend(entries: &[(&'static str, &str)]) -> impl IntoView + use<> {
    let items = entries
        .iter()
        .map(|(class, label)| {
            view! { <li><span class=format!("swatch {class}") aria-hidden="true"></span>{label.to_string()}</li> }
        })
        .collect_view();
    view! { <ul class="chart-legend">{items}</ul> }
}

#[component]
fn WeeklyChart(weeks: Vec<WeekRow>) -> impl IntoView {
    let m = current_locale().messages();
    let (left, top, plot_width, plot_height) = (48.0, 12.0, WIDTH - 56.0, 220.0);
    let height = top + plot_height + 28.0;
    let max = weeks
        .iter()
        .map(|week| week.posted.max(week.opened).max(week.deemed))
        .max()
        .unwrap_or(0) as f64;
    let step = axis_step(max);
    let scale = step * 4.0;
    let y = move |value: f64| top + plot_height * (1.0 - value / scale);
    let grid = (0..=4)
        .map(|tick| {
            let value = step * tick as f64;
            view! {
                <line class="grid" x1=at(left) x2=at(left + plot_width) y1=at(y(value)) y2=at(y(value))/>
                <text class="tick" x=at(left - 6.0) y=at(y(value) + 4.0) text-anchor="end">{value.to_string()}</text>
            }
        })
        .collect_view();
    let group = plot_width / weeks.len().max(1) as f64;
    let bar = group * 0.24;
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(index, week)| {
            let start = left + group * index as f64 + (group - 3.0 * bar) / 2.0;
            let column = |offset: f64, value: u64, class: &'static str| {
                let value = value as f64;
                view! {
                    <rect class=class x=at(start + offset * bar) y=at(y(value)) width=at(bar - 1.0) height=at(plot_height * value / scale)/>
                }
            };
            view! {
                {column(0.0, week.posted, "bar-posted")}
                {column(1.0, week.opened, "bar-opened")}
                {column(2.0, week.deemed, "bar-deemed")}
                <text class="tick" x=at(start + 1.5 * bar) y=at(top + plot_height + 18.0) text-anchor="middle">{week.short.clone()}</text>
            }
        })
        .collect_view();
    let rows = weeks
        .into_iter()
        .map(|week| {
            view! {
                <tr>
                    <th scope="row">{week.starts_on}</th>
                    <td>{week.posted}</td>
                    <td>{week.opened}</td>
                    <td>{week.deemed}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="chart" aria-labelledby="weekly-title">
            <h2 id="weekly-title">{m.staff_dashboard_weekly_title.as_str()}</h2>
            {legend(&[
                ("bar-posted", m.staff_dashboard_posted.as_str()),
                ("bar-opened", m.staff_dashboard_opened.as_str()),
                ("bar-deemed", m.staff_dashboard_deemed.as_str()),
            ])}
            <svg role="img" aria-labelledby="weekly-title" viewBox=format!("0 0 {WIDTH} {height}") font-size=LABEL_SIZE.to_string()>
                {grid}
                {bars}
            </svg>
            <details class="chart-data">
                <summary>{m.staff_dashboard_show_table.as_str()}</summary>
                <div class="chart-table">
                    <table>
                        <caption>{m.staff_dashboard_weekly_title.as_str()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{m.staff_dashboard_week.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_posted.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_opened.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_deemed.as_str()}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn DelaysChart(delays: Vec<DelayRow>) -> impl IntoView {
    let m = current_locale().messages();
    if delays.is_empty() {
        return view! {
            <section class="chart" aria-labelledby="delays-title">
                <h2 id="delays-title">{m.staff_dashboard_delays_title.as_str()}</h2>
                <p>{m.staff_dashboard_delays_empty.as_str()}</p>
            </section>
        }
        .into_any();
    }
    let (row_height, bar) = (64.0, 16.0);
    let plot_width = WIDTH - 120.0;
    let height = row_height * delays.len() as f64;
    let scale = axis_step(delays.iter().map(|row| row.p90_hours).fold(0.0, f64::max)) * 4.0;
    let width = move |hours: f64| (plot_width * hours / scale).max(1.0);
    let drawn = delays
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let top = row_height * index as f64;
            view! {
                <text x="0" y=at(top + 14.0)>{row.kind_name.clone()}</text>
                <rect class="bar-median" x="0" y=at(top + 20.0) width=at(width(row.median_hours)) height=at(bar)/>
                <text class="tick" x=at(width(row.median_hours) + 6.0) y=at(top + 33.0)>{row.median.clone()}</text>
                <rect class="bar-p90" x="0" y=at(top + 20.0 + bar + 2.0) width=at(width(row.p90_hours)) height=at(bar)/>
                <text class="tick" x=at(width(row.p90_hours) + 6.0) y=at(top + 33.0 + bar + 2.0)>{row.p90.clone()}</text>
            }
        })
        .collect_view();
    let rows = delays
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{row.kind_name}</th>
                    <td>{row.opened}</td>
                    <td>{row.median}</td>
                    <td>{row.p90}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="chart" aria-labelledby="delays-title">
            <h2 id="delays-title">{m.staff_dashboard_delays_title.as_str()}</h2>
            {legend(&[
                ("bar-median", m.staff_dashboard_median.as_str()),
                ("bar-p90", m.staff_dashboard_p90.as_str()),
            ])}
            <svg role="img" aria-labelledby="delays-title" viewBox=format!("0 0 {WIDTH} {height}") font-size=LABEL_SIZE.to_string()>
                {drawn}
            </svg>
            <details class="chart-data">
                <summary>{m.staff_dashboard_show_table.as_str()}</summary>
                <div class="chart-table">
                    <table>
                        <caption>{m.staff_dashboard_delays_title.as_str()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{m.staff_dashboard_kind.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_opened_count.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_median.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_p90.as_str()}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn ChannelsChart(channels: Vec<ChannelRow>) -> impl IntoView {
    let m = current_locale().messages();
    if channels.is_empty() {
        return view! {
            <section class="chart" aria-labelledby="channels-title">
                <h2 id="channels-title">{m.staff_dashboard_channels_title.as_str()}</h2>
                <p>{m.staff_dashboard_channels_empty.as_str()}</p>
            </section>
        }
        .into_any();
    }
    let (row_height, bar) = (52.0, 20.0);
    let plot_width = WIDTH - 80.0;
    let height = row_height * channels.len() as f64;
    let drawn = channels
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let top = row_height * index as f64;
            let total = (row.sent + row.failed + row.not_sent + row.pending).max(1) as f64;
            let mut start = 0.0;
            let parts = [
                (row.sent, "bar-sent"),
                (row.failed, "bar-failed"),
                (row.not_sent, "bar-not-sent"),
                (row.pending, "bar-pending"),
            ]
            .into_iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, class)| {
                let width = plot_width * count as f64 / total;
                let x = start;
                start += width;
                view! { <rect class=class x=at(x) y=at(top + 20.0) width=at(width) height=at(bar)/> }
            })
            .collect_view();
            view! {
                <text x="0" y=at(top + 14.0)>{row.name.clone()}</text>
                {parts}
                <text class="tick" x=at(plot_width + 8.0) y=at(top + 35.0)>{row.success.clone()}</text>
            }
        })
        .collect_view();
    let rows = channels
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{row.name}</th>
                    <td>{row.sent}</td>
                    <td>{row.failed}</td>
                    <td>{row.not_sent}</td>
                    <td>{row.pending}</td>
                    <td>{row.success}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="chart" aria-labelledby="channels-title">
            <h2 id="channels-title">{m.staff_dashboard_channels_title.as_str()}</h2>
            <p class="hint">{m.staff_dashboard_channels_hint.as_str()}</p>
            {legend(&[
                ("bar-sent", m.staff_dashboard_sent.as_str()),
                ("bar-failed", m.staff_dashboard_failed.as_str()),
                ("bar-not-sent", m.staff_dashboard_not_sent.as_str()),
                ("bar-pending", m.staff_dashboard_pending.as_str()),
            ])}
            <svg role="img" aria-labelledby="channels-title" viewBox=format!("0 0 {WIDTH} {height}") font-size=LABEL_SIZE.to_string()>
                {drawn}
            </svg>
            <details class="chart-data">
                <summary>{m.staff_dashboard_show_table.as_str()}</summary>
                <div class="chart-table">
                    <table>
                        <caption>{m.staff_dashboard_channels_title.as_str()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{m.staff_dashboard_channel.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_sent.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_failed.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_not_sent.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_pending.as_str()}</th>
                                <th scope="col">{m.staff_dashboard_success.as_str()}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::axis_step;

    #[test]
    fn four_steps_of_one_two_or_five_reach_the_largest_value() {
        assert_eq!(axis_step(0.0), 1.0);
        assert_eq!(axis_step(3.0), 1.0);
        assert_eq!(axis_step(7.0), 2.0);
        assert_eq!(axis_step(19.0), 5.0);
        assert_eq!(axis_step(40.0), 10.0);
        assert_eq!(axis_step(41.0), 20.0);
        assert_eq!(axis_step(13_290.0), 5_000.0);
        for max in [1.0, 9.0, 99.0, 101.0, 12_345.0, 987_654.0] {
            assert!(axis_step(max) * 4.0 >= max);
        }
    }
}
