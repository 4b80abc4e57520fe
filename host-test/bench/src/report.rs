//! The Markdown tables `visual-bench` prints.

/// Everything measured, in the order printed.
#[derive(Default)]
pub struct Report {
    sections: Vec<(String, Vec<String>)>,
}

impl Report {
    pub fn section(&mut self, title: impl Into<String>, header: &str) {
        let columns = header.matches('|').count() - 1;
        let rule = format!("|{}", "---|".repeat(columns));
        self.sections.push((title.into(), vec![header.to_string(), rule]));
    }

    pub fn row(&mut self, cells: &[&str]) {
        let line = format!("| {} |", cells.join(" | "));
        self.sections.last_mut().expect("a section first").1.push(line);
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.sections.last_mut().expect("a section first").1.push(String::new());
        self.sections.last_mut().expect("a section first").1.push(text.into());
    }

    pub fn print(&self) {
        for (title, lines) in &self.sections {
            println!("### {title}\n");
            for line in lines {
                println!("{line}");
            }
            println!();
        }
    }
}

/// "met" or "missed by N%" for a measured value against an upper bound.
pub fn verdict(measured: f64, bound: f64) -> String {
    if measured <= bound {
        "met".to_string()
    } else {
        format!("missed by {:.0}%", (measured / bound - 1.0) * 100.0)
    }
}
