"""Rich presenters for the terminal. They show the Assessment; they decide nothing."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from myotriage.engine.assessment import Assessment, Cause, PlanItem
from myotriage.knowledge.schema import Grade, TriageLevel
from myotriage.phrasing import in_sentence

LEVEL_STYLE = {
    TriageLevel.emergency_ambulance: "bold white on red",
    TriageLevel.emergency: "bold white on dark_orange3",
    TriageLevel.consultation_24: "bold black on yellow",
    TriageLevel.consultation: "bold white on blue",
    TriageLevel.self_care: "bold white on green4",
}
GRADE_STYLE = {
    Grade.strong: "bold green",
    Grade.moderate: "green",
    Grade.weak: "yellow",
    Grade.insufficient: "dim",
    Grade.evidence_against: "bold red",
}
GRADE_LABEL = {
    Grade.strong: "strong evidence",
    Grade.moderate: "moderate evidence",
    Grade.weak: "weak evidence",
    Grade.insufficient: "insufficient evidence",
    Grade.evidence_against: "evidence against",
}
BAR_WIDTH = 20


def _bar(p: float) -> Text:
    filled = round(p * BAR_WIDTH)
    return Text("█" * filled + "░" * (BAR_WIDTH - filled), style="cyan")


def _why(cause: Cause, limit: int = 4) -> str:
    parts = []
    for f in cause.why[:limit]:
        sign = "+" if f.direction == "toward" else "−"
        state = "" if f.state == "present" else "no: "
        parts.append(f"{sign} {state}{in_sentence(f.label)} (×{f.likelihood_ratio:.2g})")
    return "; ".join(parts) if parts else "no strong pointers either way"


def _item_text(item: PlanItem) -> Text:
    t = Text()
    t.append(f"{item.name}", style="bold")
    t.append(f"  [{GRADE_LABEL[item.grade]}]", style=GRADE_STYLE[item.grade])
    if item.being_tried:
        t.append("  (you said you use this)", style="italic")
    t.append(f"\n  {item.how}")
    if item.verdict_vs_article:
        t.append(f"\n  Evidence vs popular advice: {item.verdict_vs_article}", style="italic")
    for c in item.cautions:
        style = "bold red" if c.severity == "avoid" else "yellow"
        t.append(f"\n  {'AVOID' if c.severity == 'avoid' else 'Caution'}: {c.text}", style=style)
    t.append(f"\n  Sources: {', '.join(s.id for s in item.sources)}", style="dim")
    return t


def render_assessment(a: Assessment, console: Console) -> None:
    """Print the triage banner, likely causes, plan and safety net."""
    tri = a.triage
    body = Text()
    body.append(f"{tri.action}\n", style="bold")
    body.append(f"When: {tri.timeframe}\n")
    for r in tri.reasons:
        if r.level == tri.level:
            body.append(f"• {r.text}\n")
    for advice in tri.worsening_advice:
        body.append(f"If it gets worse: {advice}\n", style="italic")
    console.print(
        Panel(body, title=Text(f" {tri.title} ", style=LEVEL_STYLE[tri.level]), expand=True)
    )
    for notice in a.notices:
        console.print(Text(f"Note: {notice}", style="yellow"))

    table = Table(title="What's most likely", show_lines=False, expand=True)
    table.add_column("Cause", ratio=3)
    table.add_column("Chance", ratio=3)
    table.add_column("Why", ratio=6)
    for c in a.causes:
        chance = Text.assemble(_bar(c.probability), f" {c.probability:.0%}")
        table.add_row(Text(c.name, style="bold"), chance, _why(c))
    console.print(table)
    if a.causes:
        console.print(Text(a.causes[0].base_rate, style="dim"))

    sections = [
        ("What you can do", a.plan.self_care),
        ("Ask your doctor about", a.plan.ask_doctor),
        ("Not recommended / unproven", a.plan.not_recommended),
    ]
    for title, items in sections:
        if items:
            console.print(Panel(Group(*(_item_text(i) for i in items)), title=title))
    if a.plan.safety_net:
        console.print(
            Panel(
                "\n".join(f"• {line}" for line in a.plan.safety_net),
                title="Get help sooner if",
                border_style="red",
            )
        )
    console.print(Text(a.disclaimer, style="dim italic"))
