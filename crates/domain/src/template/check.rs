//! The allow-list checker: walks minijinja's syntax tree and refuses everything a message template does not
//! need, with a position for each refusal.
//!
//! Allowed: text, `{{ expression }}`, `{% if %}`/`{% elif %}`/`{% else %}`; in expressions, catalogue
//! variables, `attributes.<key>` (or `attributes["key"]`), literals and lists of them, `not`/`and`/`or`,
//! comparisons, `in` a list literal, `a if b else c`, and the filters of [`FILTERS`]. Refused: every other
//! statement (`for`, `set`, `with`, `macro`, `include`, …), function and method calls, `is` tests, slices,
//! map literals, arithmetic and `~`. Loops are refused because nothing a customer has needs iterating, and
//! without them every instruction runs at most once, so a template's cost is bounded by its length.

use minijinja::machinery::ast::{BinOpKind, CallArg, CompareOpKind, Expr, Stmt};
use minijinja::machinery::parse;
use minijinja::syntax::SyntaxConfig;

use super::error::{TemplateError, TemplateIssue};
use super::filters::{describe, literal_fits, ArgKind, FILTERS};
use super::vars::{is_known, ATTRIBUTES, TEMPLATE_VARIABLES};

/// What the checker learned about an accepted template.
pub(crate) struct Checked {
    /// Variables used, in order of first use: `first_name`, `attributes.tier`, …
    pub variables: Vec<String>,
    /// The static text every recipient gets at least (the shorter branch of each `if`).
    pub least_static_text: String,
}

/// Parses `source` and checks it against the allow-list, reporting every problem found.
pub(crate) fn check(source: &str) -> Result<Checked, TemplateError> {
    let ast = parse(source, "message", SyntaxConfig::default()).map_err(|err| syntax_error(source, &err))?;
    let mut checker = Checker { source, issues: Vec::new(), variables: Vec::new() };
    checker.stmt(&ast, 0);
    if checker.issues.is_empty() {
        Ok(Checked { variables: checker.variables, least_static_text: least_static(std::slice::from_ref(&ast)) })
    } else {
        Err(TemplateError::Invalid(checker.issues))
    }
}

/// Locates a syntax error and rewords the parser's refusal of a statement it does not know (we compile the
/// engine without `include`, `macro`, … so it reports those as unknown) into our allow-list message.
pub(crate) fn syntax_error(source: &str, err: &minijinja::Error) -> TemplateError {
    let offset = err.range().map(|range| range.start).or_else(|| line_offset(source, err.line()?)).unwrap_or(0);
    let detail = err.detail().unwrap_or("invalid template");
    let message = match detail.strip_prefix("unknown statement ") {
        Some(keyword) => statement_not_allowed(keyword),
        None => format!("syntax error: {detail}"),
    };
    TemplateError::invalid(source, offset, message)
}

fn line_offset(source: &str, line: usize) -> Option<usize> {
    let skip = line.checked_sub(1)?;
    Some(source.split_inclusive('\n').take(skip).map(str::len).sum())
}

fn statement_not_allowed(keyword: &str) -> String {
    format!(
        "`{{% {keyword} %}}` is not allowed in message templates; \
         only `{{% if %}}`, `{{% elif %}}` and `{{% else %}}` are"
    )
}

struct Checker<'s> {
    source: &'s str,
    issues: Vec<TemplateIssue>,
    variables: Vec<String>,
}

impl Checker<'_> {
    fn issue(&mut self, offset: u32, message: String) {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        self.issues.push(TemplateIssue::at(self.source, offset, message));
    }

    fn uses(&mut self, variable: String) {
        if !self.variables.contains(&variable) {
            self.variables.push(variable);
        }
    }

    /// Checks one statement; `parent` is the offset to blame when the statement's own span is unknown.
    fn stmt(&mut self, stmt: &Stmt<'_>, parent: u32) {
        match stmt {
            Stmt::Template(t) => t.children.iter().for_each(|child| self.stmt(child, t.span().start_offset)),
            Stmt::EmitRaw(_) => {}
            Stmt::EmitExpr(e) => self.expr(&e.expr),
            Stmt::IfCond(c) => {
                self.expr(&c.expr);
                let at = c.span().start_offset;
                c.true_body.iter().chain(&c.false_body).for_each(|child| self.stmt(child, at));
            }
            Stmt::ForLoop(s) => self.refuse_statement(s.span().start_offset),
            Stmt::WithBlock(s) => self.refuse_statement(s.span().start_offset),
            Stmt::Set(s) => self.refuse_statement(s.span().start_offset),
            Stmt::SetBlock(s) => self.refuse_statement(s.span().start_offset),
            Stmt::AutoEscape(s) => self.refuse_statement(s.span().start_offset),
            Stmt::FilterBlock(s) => self.refuse_statement(s.span().start_offset),
            Stmt::Do(s) => self.refuse_statement(s.span().start_offset),
            // Statements of engine features we do not enable (another crate could, through feature
            // unification): refuse them too, blaming the enclosing construct.
            #[allow(unreachable_patterns)]
            _ => self.issue(parent, "this statement is not allowed in message templates".to_owned()),
        }
    }

    /// Refuses the statement whose keyword starts at `offset`, naming the keyword as written.
    fn refuse_statement(&mut self, offset: u32) {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.source.len());
        let rest = self.source.get(start..).unwrap_or_default();
        let keyword: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        self.issue(offset, statement_not_allowed(&keyword));
    }

    fn expr(&mut self, expr: &Expr<'_>) {
        let at = expr.span().start_offset;
        match expr {
            Expr::Const(_) => {}
            Expr::Var(v) if v.id == ATTRIBUTES => self.issue(
                at,
                "`attributes` holds custom fields: write `attributes.<key>`, e.g. `attributes.tier`".to_owned(),
            ),
            Expr::Var(v) => self.variable(v.id, at),
            Expr::GetAttr(a) => self.field(&a.expr, Some(a.name), at),
            Expr::GetItem(i) => match &i.subscript_expr {
                Expr::Const(key) if key.value.as_str().is_some() => self.field(&i.expr, key.value.as_str(), at),
                _ => self.issue(at, "only `attributes[\"key\"]` may be indexed, with a quoted key".to_owned()),
            },
            Expr::Filter(f) => {
                if let Some(operand) = &f.expr {
                    self.expr(operand);
                }
                self.filter(f.name, &f.args, at);
            }
            Expr::Test(t) => {
                self.issue(at, format!("tests (`is {}`) are not allowed; write `{{% if value %}}` instead", t.name))
            }
            Expr::UnaryOp(u) => self.expr(&u.expr),
            Expr::BinOp(b) => match b.op {
                BinOpKind::ScAnd
                | BinOpKind::ScOr
                | BinOpKind::Eq
                | BinOpKind::Ne
                | BinOpKind::Lt
                | BinOpKind::Lte
                | BinOpKind::Gt
                | BinOpKind::Gte => {
                    self.expr(&b.left);
                    self.expr(&b.right);
                }
                BinOpKind::In => {
                    self.expr(&b.left);
                    self.list_operand(&b.right);
                }
                _ => self.issue(at, "arithmetic and `~` are not allowed in message templates".to_owned()),
            },
            Expr::Compare(c) => {
                self.expr(&c.expr);
                for op in &c.ops {
                    match op.op {
                        CompareOpKind::In | CompareOpKind::NotIn => self.list_operand(&op.expr),
                        _ => self.expr(&op.expr),
                    }
                }
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr);
                self.expr(&i.true_expr);
                if let Some(otherwise) = &i.false_expr {
                    self.expr(otherwise);
                }
            }
            Expr::List(l) => l.items.iter().for_each(|item| self.expr(item)),
            Expr::Call(_) => {
                self.issue(at, "function and method calls are not allowed in message templates".to_owned())
            }
            Expr::Slice(_) => self.issue(at, "slices are not allowed in message templates".to_owned()),
            Expr::Tuple(_) | Expr::Map(_) => {
                self.issue(at, "only lists may be written as literals, e.g. `[\"Pune\", \"Mumbai\"]`".to_owned())
            }
        }
    }

    /// The right side of `in`: a list literal only, because the engine fails a containment check on a
    /// missing or non-list value, and one customer's missing attribute must not fail their message.
    fn list_operand(&mut self, expr: &Expr<'_>) {
        match expr {
            Expr::List(_) => self.expr(expr),
            _ => self.issue(
                expr.span().start_offset,
                "`in` needs a list on its right, e.g. `city in [\"Pune\", \"Mumbai\"]`".to_owned(),
            ),
        }
    }

    fn variable(&mut self, name: &str, at: u32) {
        if is_known(name) {
            self.uses(name.to_owned());
        } else {
            let names = TEMPLATE_VARIABLES.iter().map(|v| v.name);
            self.issue(at, unknown("variable", name, names));
        }
    }

    /// `base.key` or `base["key"]`: only `attributes` has fields.
    fn field(&mut self, base: &Expr<'_>, key: Option<&str>, at: u32) {
        match (base, key) {
            (Expr::Var(v), Some(key)) if v.id == ATTRIBUTES => self.uses(format!("{ATTRIBUTES}.{key}")),
            (Expr::Var(v), _) if !is_known(v.id) => self.variable(v.id, at),
            _ => self.issue(at, "only `attributes` has fields (`attributes.<key>`)".to_owned()),
        }
    }

    fn filter(&mut self, name: &str, args: &[CallArg<'_>], at: u32) {
        let Some(spec) = FILTERS.iter().find(|spec| spec.name == name) else {
            self.issue(at, unknown("filter", name, FILTERS.iter().map(|spec| spec.name)));
            return;
        };
        if args.len() < spec.required || args.len() > spec.args.len() {
            let wanted = match (spec.required, spec.args.len()) {
                (0, 0) => "no arguments".to_owned(),
                (low, high) if low == high => format!("{low} argument(s)"),
                (low, high) => format!("{low} to {high} arguments"),
            };
            self.issue(at, format!("`{name}` takes {wanted}, not {}", args.len()));
            return;
        }
        for (index, (arg, kind)) in args.iter().zip(spec.args).enumerate() {
            let position = index + 1;
            match (arg, kind) {
                (CallArg::Pos(expr), ArgKind::Any) => self.expr(expr),
                (CallArg::Pos(Expr::Const(c)), kind) if literal_fits(*kind, &c.value) => {}
                (CallArg::Pos(expr), kind) => self.issue(
                    expr.span().start_offset,
                    format!("argument {position} of `{name}` must be {}", describe(*kind)),
                ),
                _ => self.issue(at, format!("`{name}` takes plain positional arguments only")),
            }
        }
    }
}

/// "unknown variable `frist_name` — did you mean `first_name`?", or the list of choices when nothing is close.
fn unknown<'a>(what: &str, name: &str, choices: impl Iterator<Item = &'a str> + Clone) -> String {
    let closest = choices
        .clone()
        .map(|choice| (strsim::osa_distance(name, choice), choice))
        .filter(|(distance, choice)| *distance <= 2.max(choice.len() / 3))
        .min_by_key(|(distance, _)| *distance);
    match closest {
        Some((_, choice)) => format!("unknown {what} `{name}` — did you mean `{choice}`?"),
        None => format!("unknown {what} `{name}`; use one of {}", choices.collect::<Vec<_>>().join(", ")),
    }
}

/// The static text every rendering contains at least: all raw text, taking the shorter branch of each `if`.
fn least_static(stmts: &[Stmt<'_>]) -> String {
    let mut text = String::new();
    for stmt in stmts {
        match stmt {
            Stmt::Template(t) => text.push_str(&least_static(&t.children)),
            Stmt::EmitRaw(raw) => text.push_str(raw.raw),
            Stmt::IfCond(c) => {
                let (yes, no) = (least_static(&c.true_body), least_static(&c.false_body));
                text.push_str(if yes.chars().count() <= no.chars().count() { &yes } else { &no });
            }
            _ => {}
        }
    }
    text
}
