//! Type-level search (R4 search §3.1.1): parse the parameters, run the query, follow `_include`s.

use kakehashi_mappings::fhir::search::{parse_search, SearchQuery, SummaryMode};

use crate::pipeline::{Fhir, FhirError};
use crate::store::search::{referenced, search};

/// One page of results.
pub struct SearchResult {
    pub query: SearchQuery,
    pub total: i64,
    /// `(id, content)` of each match on this page.
    pub matches: Vec<(String, String)>,
    /// `(type, id, content)` of each included resource.
    pub included: Vec<(String, String, String)>,
    pub count: usize,
}

impl Fhir {
    pub async fn search(
        &self,
        resource_type: &str,
        params: &[(String, String)],
    ) -> Result<SearchResult, FhirError> {
        let query = parse_search(resource_type, params).map_err(FhirError::invalid)?;
        let count = query
            .count
            .unwrap_or(self.paging.default_count)
            .min(self.paging.max_count);
        let limit = if query.summary == SummaryMode::Count {
            0
        } else {
            count as i64
        };
        let mut conn = self.store.reader().await?;
        let page = search(
            &mut conn,
            resource_type,
            &query.conditions,
            limit,
            query.offset as i64,
        )
        .await?;
        let ids: Vec<String> = page.matches.iter().map(|(id, _)| id.clone()).collect();
        let mut included: Vec<(String, String, String)> = Vec::new();
        for include in &query.includes {
            for found in referenced(&mut conn, resource_type, &ids, &include.param).await? {
                if !included
                    .iter()
                    .any(|(t, i, _)| *t == found.0 && *i == found.1)
                {
                    included.push(found);
                }
            }
        }
        Ok(SearchResult {
            query,
            total: page.total,
            matches: page.matches,
            included,
            count,
        })
    }
}
