//! The cluster-creation wizard (`n`): Template → Name → Placement →
//! Settings (sizes, ports, images) → Review → Progress. A pure state
//! machine: keys change the answers, every answer is validated as it is
//! typed, and the only ways out are effects (create, save the spec).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::line_editor::{Edit, LineEditor};
use super::msg::Effect;
use super::state::{Level, State};
use super::views::Overlay;
use super::wizard_checks::{image_problem, name_problem, placed_hosts, NoPlan, IMAGE_FIELDS};
use super::wizard_fields::{fields, get, set, Field};
pub use super::wizard_form::{Progress, TextFocus, Wizard, WizardStep};
pub use super::wizard_progress::on_job;
use super::wizard_progress::{select_cluster, wizard_of};
use crate::create::images::missing_in;
use crate::create::plan::{create_plan, CreatePlan, Secrets};
use crate::create::spec::{check_name, ClusterSpec, Template};
use crate::model::Inventory;
use crate::ops::job::JobOutcome;

/// Longer than any name, port or image someone types.
const TEXT_LIMIT: usize = 256;

/// Placeholders for the review only: real secrets are generated at apply
/// time, and the plan's lines mask them anyway.
fn review_secrets() -> Secrets {
    Secrets {
        root_password: "generated-at-apply".into(),
        replication_password: "generated-at-apply".into(),
        app_password: "generated-at-apply".into(),
    }
}

impl Wizard {
    pub fn new(inv: &Inventory) -> Self {
        let hosts = placed_hosts(inv);
        let mut chosen = vec![false; hosts.len()];
        if let Some(first) = chosen.first_mut() {
            *first = true;
        }
        let spec = ClusterSpec::new("", Template::Zookeeper);
        Self {
            step: WizardStep::Template,
            template: 0,
            name_problem: name_problem(&spec.name, inv),
            spec,
            hosts,
            chosen,
            place_cursor: 0,
            network: String::new(),
            field: 0,
            texts: BTreeMap::new(),
            input: None,
            parse_errors: BTreeMap::new(),
            review: Vec::new(),
            scroll: 0,
            error: None,
            images: BTreeMap::new(),
            progress: Progress::default(),
        }
    }

    pub fn fields(&self) -> &'static [Field] {
        fields(self.spec.template)
    }

    /// The text shown in a settings field: what was typed, else the spec's
    /// value (the default until changed).
    pub fn field_text(&self, key: &str) -> String {
        self.texts
            .get(key)
            .cloned()
            .unwrap_or_else(|| get(&self.spec, key))
    }

    /// The reason shown beside a field, and whether it blocks going on.
    pub fn field_message(&self, key: &str) -> Option<(String, bool)> {
        if let Some(e) = self.parse_errors.get(key) {
            return Some((e.to_string(), true));
        }
        let problem = self.spec.problems().into_iter().find(|p| p.field == key);
        if let Some(p) = problem {
            return Some((p.message, p.fatal));
        }
        // A warning: the hosts' lists may be older than a pull just made.
        IMAGE_FIELDS
            .contains(&key)
            .then(|| {
                image_problem(
                    &self.field_text(key),
                    &self.spec.placement.hosts,
                    &self.images,
                )
            })
            .flatten()
            .map(|m| (m, false))
    }

    /// The first field of this template that blocks going on.
    pub fn first_blocking_field(&self) -> Option<usize> {
        self.fields()
            .iter()
            .position(|f| self.field_message(f.key).is_some_and(|(_, fatal)| fatal))
    }

    pub fn chosen_hosts(&self) -> Vec<String> {
        self.hosts
            .iter()
            .zip(&self.chosen)
            .filter(|(_, c)| **c)
            .map(|(h, _)| h.name.clone())
            .collect()
    }

    /// Why the placement can't be used, if it can't.
    pub fn placement_problem(&self) -> Option<String> {
        let chosen = self.chosen_hosts();
        if chosen.is_empty() {
            return Some("choose a host (Space)".into());
        }
        if chosen.len() > 1 && self.spec.template != Template::Zookeeper {
            return Some("this template runs on one host; spreading is for ZooKeeper".into());
        }
        if chosen.len() == 1 && !self.network.is_empty() {
            if let Err(e) = check_name(&self.network) {
                return Some(format!("network: {e}"));
            }
        }
        None
    }

    /// The plan the Review shows (placeholder secrets).
    pub fn plan(&self, inv: &Inventory) -> Result<CreatePlan, NoPlan> {
        create_plan(&self.spec, &self.hosts, inv, &review_secrets()).map_err(NoPlan)
    }

    fn enter_review(&mut self, inv: &Inventory) {
        match self.plan(inv) {
            Ok(plan) => {
                self.review = missing_in(&plan, &self.images)
                    .iter()
                    .map(|m| format!("error: {m}"))
                    .collect();
                self.review.extend(plan.lines());
                self.review
                    .extend(plan.warnings.iter().map(|w| format!("warning: {w}")));
                self.scroll = 0;
                self.error = None;
                self.step = WizardStep::Review;
            }
            Err(e) => self.send_back(e),
        }
    }

    /// A plan error names the field it is about: go to that field's step.
    fn send_back(&mut self, error: NoPlan) {
        let field = error.field();
        self.step = if field == "name" {
            WizardStep::Name
        } else if field.starts_with("placement") {
            WizardStep::Placement
        } else {
            // A port already published on its host: the field holding it.
            let port = error.taken_port().map(|p| p.to_string());
            let at = self
                .fields()
                .iter()
                .position(|f| f.key == field || Some(self.field_text(f.key)) == port);
            if let Some(i) = at {
                self.field = i;
            }
            WizardStep::Settings
        };
        self.error = Some(error.to_string());
    }

    fn apply_placement(&mut self) {
        let chosen = self.chosen_hosts();
        self.spec.placement.network =
            (chosen.len() == 1 && !self.network.is_empty()).then(|| self.network.clone());
        self.spec.placement.hosts = chosen;
    }

    /// Enter (or Tab) on the current step: the next field, or the next step
    /// when this one is answered. Placement says why it is not, since the
    /// reason is not beside the cursor there.
    fn next(&mut self, inv: &Inventory) -> Option<String> {
        self.error = None;
        match self.step {
            WizardStep::Template => {
                let template = Template::ALL[self.template];
                if template != self.spec.template {
                    self.spec.template = template;
                    self.field = 0;
                }
                self.step = WizardStep::Name;
                self.name_problem = name_problem(&self.spec.name, inv);
            }
            WizardStep::Name => {
                self.name_problem = name_problem(&self.spec.name, inv);
                if self.name_problem.is_none() {
                    self.step = WizardStep::Placement;
                }
            }
            WizardStep::Placement => match self.placement_problem() {
                Some(why) => return Some(format!("not yet: {why}")),
                None => {
                    self.apply_placement();
                    self.step = WizardStep::Settings;
                }
            },
            WizardStep::Settings => {
                if self.field + 1 < self.fields().len() {
                    self.field += 1;
                } else if let Some(i) = self.first_blocking_field() {
                    self.field = i;
                } else {
                    self.enter_review(inv);
                }
            }
            WizardStep::Review | WizardStep::Progress => {}
        }
        None
    }

    fn back(&mut self) {
        self.error = None;
        if let Some(prev) = self.step.back() {
            self.step = prev;
        }
    }

    /// Up / Down on a list step, Shift-Tab / Tab between fields.
    fn move_cursor(&mut self, down: bool) {
        let step = |i: usize, len: usize| {
            if down {
                (i + 1).min(len.saturating_sub(1))
            } else {
                i.saturating_sub(1)
            }
        };
        match self.step {
            WizardStep::Template => self.template = step(self.template, Template::ALL.len()),
            WizardStep::Placement => {
                self.place_cursor = step(self.place_cursor, self.hosts.len() + 1)
            }
            WizardStep::Settings => self.field = step(self.field, self.fields().len()),
            WizardStep::Review => {
                self.scroll = step(self.scroll, self.review.len());
            }
            WizardStep::Name | WizardStep::Progress => {}
        }
    }

    /// Space on a host row: one host for most templates, any number for
    /// a ZooKeeper ensemble.
    fn toggle_host(&mut self) {
        let i = self.place_cursor;
        if i >= self.hosts.len() {
            return;
        }
        if self.spec.template == Template::Zookeeper {
            self.chosen[i] = !self.chosen[i];
        } else {
            for (j, c) in self.chosen.iter_mut().enumerate() {
                *c = j == i;
            }
        }
    }

    /// The text input with the focus, if one has it.
    pub fn text_focus(&self) -> Option<TextFocus> {
        match self.step {
            WizardStep::Name => Some(TextFocus::Name),
            WizardStep::Placement if self.place_cursor == self.hosts.len() => {
                Some(TextFocus::Network)
            }
            WizardStep::Settings => self
                .fields()
                .get(self.field)
                .filter(|f| f.choices.is_empty())
                .map(|f| TextFocus::Field(f.key)),
            WizardStep::Template
            | WizardStep::Placement
            | WizardStep::Review
            | WizardStep::Progress => None,
        }
    }

    fn focused_text(&self, focus: TextFocus) -> String {
        match focus {
            TextFocus::Name => self.spec.name.clone(),
            TextFocus::Network => self.network.clone(),
            TextFocus::Field(key) => self.field_text(key),
        }
    }

    /// The focused text input's editor, to type in and to draw: the one
    /// being typed in, else one holding its text, the cursor at the end.
    pub fn editor(&self) -> Option<LineEditor> {
        let focus = self.text_focus()?;
        let text = self.focused_text(focus);
        match &self.input {
            Some((f, editor)) if *f == focus && editor.text() == text => Some(editor.clone()),
            _ => Some(LineEditor::with_text(&text).with_limit(TEXT_LIMIT)),
        }
    }

    /// A key for the focused text input, if any; what is typed is written
    /// back at once, so it is validated as typed. Keys that edit nothing
    /// (Tab, ↑↓, Enter, Esc) come back `Edit::Ignored`/`Submit`/`Cancel`
    /// for the wizard to move with.
    fn edit(&mut self, inv: &Inventory, key: &KeyEvent) -> Edit {
        let (Some(focus), Some(mut editor)) = (self.text_focus(), self.editor()) else {
            return Edit::Ignored;
        };
        let before = editor.text().to_string();
        let edit = editor.on_key(key);
        if editor.text() != before {
            let text = editor.text().to_string();
            match focus {
                TextFocus::Name => {
                    self.spec.name = text;
                    self.name_problem = name_problem(&self.spec.name, inv);
                }
                TextFocus::Network => self.network = text,
                TextFocus::Field(key) => self.set_field(key, text),
            }
        }
        self.input = Some((focus, editor));
        edit
    }

    fn set_field(&mut self, key: &'static str, text: String) {
        match set(&mut self.spec, key, &text) {
            Ok(()) => {
                self.parse_errors.remove(key);
            }
            Err(e) => {
                self.parse_errors.insert(key.to_string(), e);
            }
        }
        self.texts.insert(key.to_string(), text);
    }

    /// Space on a choice field: the next choice (typing does not change it).
    fn cycle_choice(&mut self) {
        let Some(field) = self.fields().get(self.field).copied() else {
            return;
        };
        if field.choices.is_empty() {
            return;
        }
        let text = self.field_text(field.key);
        let at = field.choices.iter().position(|c| *c == text).unwrap_or(0);
        let next = field.choices[(at + 1) % field.choices.len()];
        self.set_field(field.key, next.to_string());
    }
}

/// `n`: open the wizard (read-only was refused before this, by the keymap's
/// mutating flag).
pub(super) fn open(state: &mut State, effects: &mut Vec<Effect>) {
    let wizard = Wizard::new(&state.inventory);
    effects.push(Effect::ListImages(
        wizard.hosts.iter().map(|h| h.name.clone()).collect(),
    ));
    state.overlays.push(Overlay::Wizard(Box::new(wizard)));
}

/// A host's image tags arrived: kept, and the Review redone with them.
pub(super) fn on_images(state: &mut State, host: String, images: Vec<String>) {
    let Some(wizard) = wizard_of(&mut state.overlays) else {
        return;
    };
    let inv = &state.inventory;
    wizard.images.insert(host, images);
    if wizard.step == WizardStep::Review {
        let scroll = wizard.scroll;
        wizard.enter_review(inv);
        wizard.scroll = scroll.min(wizard.review.len().saturating_sub(1));
    }
}

/// Keys while the wizard is on top: raw, outside the keymap, since most
/// steps take typed text.
pub(super) fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(Overlay::Wizard(mut wizard)) = state.overlays.pop() else {
        return;
    };
    let inv = &state.inventory;
    let mut close = false;
    let was = wizard.step;
    let focus = wizard.text_focus();
    if wizard.edit(inv, &key) == Edit::Changed {
        state.overlays.push(Overlay::Wizard(wizard));
        return;
    }
    match (wizard.step, key.code) {
        (WizardStep::Progress, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) => close = true,
        (WizardStep::Progress, _) => {}
        (WizardStep::Template, KeyCode::Esc) => {
            close = true;
            state.set_status(Level::Info, "new cluster cancelled: nothing was created");
        }
        (_, KeyCode::Esc) => wizard.back(),
        (WizardStep::Review, KeyCode::Char('y')) => {
            confirm(state, &mut wizard, effects);
        }
        (WizardStep::Review, KeyCode::Char('s')) => {
            let name = wizard.spec.name.clone();
            effects.push(Effect::SaveSpec {
                path: PathBuf::from("specs").join(format!("{name}.toml")),
                text: wizard.spec.to_toml(),
            });
        }
        (WizardStep::Review, KeyCode::PageDown) => wizard.scroll = page(&wizard, true),
        (WizardStep::Review, KeyCode::PageUp) => wizard.scroll = page(&wizard, false),
        // j/k where no text is typed (Placement's network row takes them).
        (WizardStep::Review | WizardStep::Template, KeyCode::Char('j')) => wizard.move_cursor(true),
        (WizardStep::Review | WizardStep::Template, KeyCode::Char('k')) => {
            wizard.move_cursor(false)
        }
        (WizardStep::Review, KeyCode::Char('g') | KeyCode::Home) => wizard.scroll = 0,
        (WizardStep::Review, KeyCode::Char('G') | KeyCode::End) => {
            wizard.scroll = wizard.review.len().saturating_sub(1)
        }
        (_, KeyCode::Enter) => {
            if let Some(why) = wizard.next(inv) {
                state.set_status(Level::Warn, why);
            }
        }
        (WizardStep::Name | WizardStep::Settings, KeyCode::Tab) => {
            wizard.next(inv);
        }
        (WizardStep::Template | WizardStep::Placement, KeyCode::Tab) => wizard.move_cursor(true),
        (_, KeyCode::Down) => wizard.move_cursor(true),
        (_, KeyCode::Up | KeyCode::BackTab) => wizard.move_cursor(false),
        (WizardStep::Template, KeyCode::Char(c @ '1'..='3')) => {
            wizard.template = usize::from(c as u8 - b'1');
        }
        (WizardStep::Placement, KeyCode::Char(' ')) => wizard.toggle_host(),
        (WizardStep::Settings, KeyCode::Char(' ')) => wizard.cycle_choice(),
        // Typing on a choice field, or where nothing is typed.
        _ => {}
    }
    if wizard.text_focus() != focus {
        // Into another input: its editor starts afresh, the cursor at the end.
        wizard.input = None;
    }
    if was != WizardStep::Review && wizard.step == WizardStep::Review {
        // Asked again: an image may have been pulled since the wizard opened.
        effects.push(Effect::ListImages(wizard.spec.placement.hosts.clone()));
    }
    if close {
        if wizard
            .progress
            .outcome
            .as_ref()
            .is_some_and(JobOutcome::is_done)
        {
            select_cluster(state, &wizard.spec.name);
        }
    } else {
        state.overlays.push(Overlay::Wizard(wizard));
    }
}

/// Review scrolls by pages of this many lines (the review's rows at 80x24).
pub const REVIEW_PAGE: usize = 10;

fn page(wizard: &Wizard, down: bool) -> usize {
    let last = wizard.review.len().saturating_sub(1);
    if down {
        (wizard.scroll + REVIEW_PAGE).min(last)
    } else {
        wizard.scroll.saturating_sub(REVIEW_PAGE)
    }
}

/// `y` on the Review: the plan is rebuilt against the inventory of now (a
/// name may have been taken meanwhile) and the create is handed over.
fn confirm(state: &mut State, wizard: &mut Wizard, effects: &mut Vec<Effect>) {
    if state.read_only {
        let why = "read-only: tugboat was started with --read-only, so it changes nothing";
        state.refusals.push(super::state::Refusal {
            action: "create".into(),
            target: format!("cluster/{}", wizard.spec.name),
            reason: why.into(),
        });
        state.set_status(Level::Warn, why);
        return;
    }
    match wizard.plan(&state.inventory) {
        Err(e) => wizard.send_back(e),
        Ok(plan) if !missing_in(&plan, &wizard.images).is_empty() => {
            let missing = missing_in(&plan, &wizard.images);
            state.set_status(
                Level::Warn,
                format!("not created: pull first, then y again: {}", missing[0]),
            );
            effects.push(Effect::ListImages(plan_hosts(&plan)));
        }
        Ok(plan) => {
            wizard.progress = Progress {
                steps: plan.lines(),
                detail: "waiting for the create job to start…".into(),
                ..Progress::default()
            };
            wizard.step = WizardStep::Progress;
            state.set_status(Level::Info, format!("create {}: started", plan.cluster));
            effects.push(Effect::CreateCluster(Box::new(wizard.spec.clone())));
        }
    }
}

/// The hosts a plan runs containers on.
fn plan_hosts(plan: &CreatePlan) -> Vec<String> {
    let mut hosts: Vec<String> = crate::create::images::planned_images(plan)
        .into_iter()
        .map(|(host, ..)| host)
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}
