package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/federation"
	"asamblea/incidents"
	"asamblea/motions"
	"asamblea/polls"
	"asamblea/server"
	"asamblea/store"
	"asamblea/vault"
)

// The roles of the authorization matrix, in the order of the letters of
// each expectation.
var matrixRoles = []string{"anonymous", "other", "member", "secretary", "facilitator", "delegate", "recalled", "commission"}

// expect is what every role gets on one route: one letter per role, in the
// order of matrixRoles.
//
//	A  allowed: anything but a denial (a 422 for the empty form included)
//	L  denied, not signed in: 401, or a redirect to /login
//	F  denied: 403
//	N  denied as if it did not exist: 404
//
// Every route but a GET runs on its own fresh copy of the world, since an
// empty body still changes it on some (leave, logout, close a vote); fresh
// asks the same for a GET. A route with a valid input in matrixBodies sends
// its denied roles first, then each allowed role on a copy of its own;
// share lets the allowed roles share one copy when what one does cannot
// change what the next gets. at replaces the fixture a wildcard takes, by
// the wildcard's key ("bodies/{id}") and a fixture's name. skip says why a
// route is not exercised; the route still needs its entry.
type expect struct {
	roles string
	fresh bool
	share bool
	at    map[string]string
	skip  string
}

// asm points a route at the assembly and its motion instead of the
// committee's: there the delegate votes and the recalled delegate does not.
var asm = map[string]string{"bodies/{id}": "A", "motions/{id}": "motionA"}

// atA points a route at the assembly, whose facilitator decides who joins.
var atA = map[string]string{"bodies/{id}": "A"}

// affiliated points a route at the affiliation already accepted (P's).
var affiliated = map[string]string{"bodies/{id}": "A", "affiliations/{aff}": "affP"}

// discussed points a route at a motion of C still in discussion.
var discussed = map[string]string{"motions/{id}": "motionD"}

// adhered points a route at P's action, which C joined.
var adhered = map[string]string{"actions/{id}": "actionP"}

// commissioner points a commission's member routes at its member.
var commissioner = map[string]string{"members/{user}": "commissioner"}

// authzMatrix holds one entry per route of Server.Routes(), keyed
// "METHOD PATTERN" exactly as the route is declared.
var authzMatrix = map[string]expect{
	"GET /{$}":                                             {roles: "AAAAAAAA"},
	"GET /signup":                                          {roles: "AAAAAAAA"},
	"POST /signup":                                         {roles: "AAAAAAAA"},
	"GET /login":                                           {roles: "AAAAAAAA"},
	"POST /login":                                          {roles: "LLLLLAAA"}, // wrong name: 401, then the rate limit: 429
	"POST /logout":                                         {roles: "LAAAAAAA"},
	"POST /lang":                                           {roles: "AAAAAAAA"},
	"GET /account":                                         {roles: "LAAAAAAA"},
	"POST /account/sessions/{id}/end":                      {roles: "LAAAAAAA"},
	"POST /account/tokens":                                 {roles: "LAAAAAAA"},
	"POST /account/tokens/{id}/revoke":                     {roles: "LAAAAAAA"},
	"GET /bodies":                                          {roles: "AAAAAAAA"},
	"GET /bodies/new":                                      {roles: "LAAAAAAA"},
	"POST /bodies":                                         {roles: "LAAAAAAA"},
	"GET /bodies/{id}":                                     {roles: "AAAAAAAA"},
	"GET /bodies/{id}/edit":                                {roles: "LFFFAFFF"},
	"POST /bodies/{id}/edit":                               {roles: "LFFFAFFF"},
	"GET /bodies/{id}/members/{user}":                      {roles: "LFFFAFFF"},
	"POST /bodies/{id}/members/{user}/role":                {roles: "LFFFAFFF"},
	"POST /bodies/{id}/members/{user}/remove":              {roles: "LFFFAFFF"},
	"POST /bodies/{id}/leave":                              {roles: "LFAAAAAA"},
	"GET /bodies/{id}/invitations":                         {roles: "LFFFAFFF"},
	"POST /bodies/{id}/invitations":                        {roles: "LFFFAFFF"},
	"POST /bodies/{id}/invitations/{inv}/revoke":           {roles: "LFFFAFFF"},
	"GET /bodies/{id}/requests":                            {roles: "LFFFAFFF"},
	"POST /bodies/{id}/requests":                           {roles: "LAAAAAAA"},
	"POST /bodies/{id}/requests/{req}/decide":              {roles: "LFFFAFFF"},
	"GET /join":                                            {roles: "AAAAAAAA"},
	"GET /join/{code}":                                     {roles: "AAAAAAAA"},
	"POST /join":                                           {roles: "LAAAAAAA"},
	"GET /assemblies/new":                                  {roles: "LAAAAAAA"},
	"POST /assemblies":                                     {roles: "LAAAAAAA"},
	"GET /bodies/{id}/federation":                          {roles: "AAAAAAAA"},
	"GET /bodies/{id}/affiliate":                           {roles: "LFFFAFFF"},
	"POST /bodies/{id}/affiliations":                       {roles: "LFFFAFFF"},
	"POST /bodies/{id}/affiliations/{aff}/decide":          {roles: "LFFFAFFF", at: atA},
	"POST /bodies/{id}/affiliations/{aff}/end":             {roles: "LFFFAFFF", at: affiliated},
	"GET /bodies/{id}/delegates":                           {roles: "LFAAAAAA"},
	"POST /bodies/{id}/elections":                          {roles: "LFFFAFFF"},
	"GET /elections/{id}":                                  {roles: "LFAAAAAA"},
	"POST /elections/{id}/stand":                           {roles: "LFAAAAAA"},
	"POST /elections/{id}/nominate":                        {roles: "LFAAAAAA"},
	"POST /elections/{id}/ballot":                          {roles: "LFAAAAAA"},
	"POST /delegates/{id}/mandate":                         {roles: "LFFAAFFF", share: true},
	"POST /delegates/{id}/recall":                          {roles: "LFAAAAAA", share: true},
	"GET /recalls/{id}":                                    {roles: "LFAAAAAA"},
	"POST /recalls/{id}/vote":                              {roles: "LFAAAAAA"},
	"GET /notices":                                         {roles: "LAAAAAAA"},
	"GET /static/{file}":                                   {roles: "AAAAAAAA"},
	"GET /bodies/{id}/motions":                             {roles: "LFAAAAAA"},
	"POST /bodies/{id}/motions":                            {roles: "LFAAAAAA"},
	"GET /motions/{id}":                                    {roles: "LFAAAAAA"},
	"GET /motions/{id}/edit":                               {roles: "LFFFAFFF"},
	"POST /motions/{id}/edit":                              {roles: "LFFFAFFF"},
	"POST /motions/{id}/move":                              {roles: "LFFFAFFF", at: discussed},
	"POST /motions/{id}/close":                             {roles: "LFFFAFFF"},
	"POST /motions/{id}/vote":                              {roles: "LFAAAAAA"},
	"POST /motions/{id}/comments":                          {roles: "LFAAAAAA"},
	"POST /motions/{id}/amendments":                        {roles: "LFAAAAAA"},
	"POST /motions/{id}/amendments/{am}/decide":            {roles: "LFFFAFFF", at: map[string]string{"motions/{id}": "motionD", "amendments/{am}": "amendmentOpen"}},
	"POST /motions/{id}/amendments/{am}/vote":              {roles: "LFAAAAAA", share: true, at: map[string]string{"motions/{id}": "motionD", "amendments/{am}": "amendmentVoting"}},
	"POST /motions/{id}/publish":                           {roles: "LFFAAFFF"},
	"POST /motions/{id}/refer":                             {roles: "LFFFAFFF", at: asm},
	"GET /referrals/{id}":                                  {roles: "LFFFAAFF"},
	"GET /bodies/{id}/record":                              {roles: "LFAAAAAA"},
	"GET /communiques":                                     {roles: "AAAAAAAA"},
	"GET /communiques/{id}":                                {roles: "AAAAAAAA"},
	"GET /communiques.atom":                                {roles: "AAAAAAAA"},
	"GET /bodies/{id}/communiques.atom":                    {roles: "AAAAAAAA"},
	"GET /bodies/{id}/meetings":                            {roles: "LFAAAAAA"},
	"POST /bodies/{id}/meetings":                           {roles: "LFFAAFFF"},
	"GET /meetings/{id}":                                   {roles: "LFAAAAAA"},
	"POST /meetings/{id}/confirm":                          {roles: "LFAAAAAA"},
	"GET /bodies/{id}/initiatives":                         {roles: "LFAAAAAA"},
	"GET /motions/{id}/initiative":                         {roles: "LFAAAAAA"},
	"POST /motions/{id}/initiative":                        {roles: "LFFFAFFF"},
	"POST /initiatives/{id}/endorse":                       {roles: "LFFFAFFF"},
	"GET /awaiting":                                        {roles: "LAAAAAAA"},
	"GET /actions":                                         {roles: "AAAAAAAA"},
	"GET /actions.ics":                                     {roles: "AAAAAAAA"},
	"GET /actions.atom":                                    {roles: "AAAAAAAA"},
	"GET /bodies/{id}/actions":                             {roles: "AAAAAAAA"},
	"GET /bodies/{id}/actions.ics":                         {roles: "AAAAAAAA"},
	"GET /bodies/{id}/actions.atom":                        {roles: "AAAAAAAA"},
	"GET /bodies/{id}/actions/new":                         {roles: "LFFAAFFF"},
	"POST /bodies/{id}/actions":                            {roles: "LFFAAFFF"},
	"GET /bodies/{id}/coordination":                        {roles: "AAAAAAAA"},
	"GET /bodies/{id}/coordination/daily":                  {roles: "AAAAAAAA"},
	"GET /actions/{id}":                                    {roles: "NNAAAAAA"},
	"GET /actions/{id}/edit":                               {roles: "LNFAAFFF"},
	"POST /actions/{id}":                                   {roles: "LNFAAFFF"},
	"POST /actions/{id}/status":                            {roles: "LNFAAFFF"},
	"POST /actions/{id}/adhere":                            {roles: "LNFAAFFF"},
	"POST /actions/{id}/leave":                             {roles: "LNFAAFFF", at: adhered},
	"POST /actions/{id}/repressed":                         {roles: "LNFAAFFF"},
	"POST /actions/{id}/reports":                           {roles: "LNAAAAAA", share: true},
	"GET /photos/{id}":                                     {roles: "NNAAAAAA"},
	"GET /polls":                                           {roles: "AAAAAAAA"},
	"GET /bodies/{id}/polls":                               {roles: "AAAAAAAA"},
	"GET /bodies/{id}/polls/new":                           {roles: "LFFFAFFF"},
	"POST /bodies/{id}/polls":                              {roles: "LFFFAFFF"},
	"GET /polls/{id}":                                      {roles: "AAAAAAAA"},
	"POST /polls/{id}/advance":                             {roles: "LFFFAFFF"},
	"GET /polls/{id}/candidacies/new":                      {roles: "LAAAAAAA"},
	"POST /polls/{id}/candidacies":                         {roles: "LAAAAAAA"},
	"POST /polls/candidacies/{id}/withdraw":                {roles: "LAFFAFFF"},
	"POST /polls/{id}/ballot":                              {roles: "LAAAAAAA", share: true}, // the poll is published: past the sign-in, 409
	"GET /polls/{id}/receipts":                             {roles: "AAAAAAAA"},
	"POST /polls/{id}/publish":                             {roles: "LFFFAFFF"},
	"GET /polls/{id}/results":                              {roles: "AAAAAAAA"},
	"GET /polls/{id}/results/{version}/inputs":             {roles: "AAAAAAAA"},
	"GET /polls/{id}/results/{version}/report.json":        {roles: "AAAAAAAA"},
	"POST /polls/candidates/{id}/recall":                   {roles: "LAAAAAAA", share: true}, // a petition is open: past the sign-in, 409
	"GET /polls/{id}/stations":                             {roles: "AAAAAAAA"},
	"POST /polls/{id}/stations":                            {roles: "LFFFAFFF"},
	"GET /polls/{id}/areas":                                {roles: "AAAAAAAA"},
	"GET /polls/{kind}/{id}":                               {roles: "AAAAAAAA"},
	"POST /polls/{kind}/{id}/{do}":                         {roles: "LFFFAFFF", at: map[string]string{"{id}/{do}": "annul"}},
	"GET /bodies/{id}/commissions":                         {roles: "LNAAAAAA"},
	"POST /bodies/{id}/commissions":                        {roles: "LNFFAFFF"},
	"GET /commissions/{id}":                                {roles: "LNNNANNA"},
	"POST /commissions/{id}/setup":                         {roles: "LNNNNNNA"},
	"POST /commissions/{id}/unlock":                        {roles: "LNNNNNNA"},
	"POST /commissions/{id}/lock":                          {roles: "LNNNNNNA"},
	"POST /commissions/{id}/passphrase":                    {roles: "LNNNNNNA"},
	"POST /commissions/{id}/grant":                         {roles: "LNNNNNNA"},
	"POST /commissions/{id}/settings":                      {roles: "LNNNNNNA"},
	"POST /commissions/{id}/lockdown":                      {roles: "LNNNNNNA"},
	"POST /commissions/{id}/members":                       {roles: "LNNNANNN"},
	"GET /commissions/{id}/incidents":                      {roles: "LNNNNNNA"},
	"GET /commissions/{id}/prisoners":                      {roles: "LNNNNNNA"},
	"GET /commissions/{id}/people/new":                     {roles: "LNNNNNNA"},
	"POST /commissions/{id}/people":                        {roles: "LNNNNNNA"},
	"GET /commissions/{id}/export.csv":                     {roles: "LNNNNNNA"},
	"GET /commissions/{id}/export.json":                    {roles: "LNNNNNNA"},
	"GET /incidents/new":                                   {roles: "LAAAAAAA"},
	"POST /incidents":                                      {roles: "LAAAAAAA"},
	"GET /incidents/{id}":                                  {roles: "LNNNNNNA"},
	"GET /incidents/{id}/edit":                             {roles: "LNNNNNNA"},
	"POST /incidents/{id}/edit":                            {roles: "LNNNNNNA"},
	"POST /incidents/{id}/check":                           {roles: "LNNNNNNA"},
	"POST /incidents/{id}/evidence":                        {roles: "LNNNNNNA"},
	"GET /evidence/{id}":                                   {roles: "LNNNNNNA"},
	"GET /people/{id}":                                     {roles: "LNNNNNNA"},
	"POST /people/{id}":                                    {roles: "LNNNNNNA"},
	"GET /repression":                                      {roles: "AAAAAAAA"},
	"GET /bodies/{id}/needs":                               {roles: "LFAAAAAA"},
	"POST /bodies/{id}/needs":                              {roles: "LFFAAFFF", share: true},
	"POST /bodies/{id}/offers":                             {roles: "LFFAAFFF", share: true},
	"GET /bodies/{id}/supplies":                            {roles: "LFAAAAAA"},
	"GET /needs/{id}":                                      {roles: "LNAAAAAA"},
	"POST /needs/{id}/cancel":                              {roles: "LNFAAFFF"},
	"GET /offers/{id}":                                     {roles: "LNAAAAAA"},
	"POST /offers/{id}/withdraw":                           {roles: "LNFFFFFF"},
	"POST /offers/{id}/pledges":                            {roles: "LNFFFFFF"},
	"POST /pledges/{id}/arrived":                           {roles: "LNFAAFFF"},
	"POST /pledges/{id}/cancel":                            {roles: "LNFAAFFF"},
	"GET /api/v1/openapi.json":                             {roles: "AAAAAAAA"},
	"POST /api/v1/accounts":                                {roles: "AAAAAAAA"},
	"POST /api/v1/sessions":                                {roles: "LLLLLAAA"}, // wrong name: 401, then the rate limit: 429
	"DELETE /api/v1/sessions/current":                      {roles: "LAAAAAAA"},
	"GET /api/v1/me":                                       {roles: "LAAAAAAA"},
	"GET /api/v1/me/sessions":                              {roles: "LAAAAAAA"},
	"DELETE /api/v1/me/sessions/{id}":                      {roles: "LAAAAAAA"},
	"GET /api/v1/me/tokens":                                {roles: "LAAAAAAA"},
	"POST /api/v1/me/tokens":                               {roles: "LAAAAAAA"},
	"DELETE /api/v1/me/tokens/{id}":                        {roles: "LAAAAAAA"},
	"GET /api/v1/me/bodies":                                {roles: "LAAAAAAA"},
	"PUT /api/v1/me/lang":                                  {roles: "LAAAAAAA"},
	"GET /api/v1/me/notices":                               {roles: "LAAAAAAA"},
	"GET /api/v1/bodies":                                   {roles: "AAAAAAAA"},
	"POST /api/v1/bodies":                                  {roles: "LAAAAAAA"},
	"GET /api/v1/bodies/{id}":                              {roles: "AAAAAAAA"},
	"PUT /api/v1/bodies/{id}":                              {roles: "LFFFAFFF"},
	"GET /api/v1/bodies/{id}/members":                      {roles: "LFAAAAAA"},
	"PUT /api/v1/bodies/{id}/members/{user}/role":          {roles: "LFFFAFFF"},
	"POST /api/v1/bodies/{id}/members/{user}/removal":      {roles: "LFFFAFFF"},
	"POST /api/v1/bodies/{id}/leave":                       {roles: "LFAAAAAA"},
	"GET /api/v1/bodies/{id}/invitations":                  {roles: "LFFFAFFF"},
	"POST /api/v1/bodies/{id}/invitations":                 {roles: "LFFFAFFF"},
	"DELETE /api/v1/bodies/{id}/invitations/{inv}":         {roles: "LFFFAFFF"},
	"GET /api/v1/bodies/{id}/requests":                     {roles: "LFFFAFFF"},
	"POST /api/v1/bodies/{id}/requests":                    {roles: "LAAAAAAA"},
	"POST /api/v1/bodies/{id}/requests/{req}/decision":     {roles: "LFFFAFFF"},
	"GET /api/v1/bodies/{id}/journal":                      {roles: "LFAAAAAA"},
	"POST /api/v1/join":                                    {roles: "LAAAAAAA"},
	"GET /api/v1/join/{code}":                              {roles: "AAAAAAAA"},
	"POST /api/v1/assemblies":                              {roles: "LAAAAAAA"},
	"GET /api/v1/bodies/{id}/affiliates":                   {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/assemblies":                   {roles: "AAAAAAAA"},
	"POST /api/v1/bodies/{id}/affiliations":                {roles: "LFFFAFFF"},
	"POST /api/v1/bodies/{id}/affiliations/{aff}/decision": {roles: "LFFFAFFF", at: atA},
	"POST /api/v1/affiliations/{aff}/end":                  {roles: "LFFFAFFF", at: affiliated},
	"GET /api/v1/bodies/{id}/federation":                   {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/delegates":                    {roles: "LFAAAAAA"},
	"GET /api/v1/bodies/{id}/elections":                    {roles: "LFAAAAAA"},
	"POST /api/v1/bodies/{id}/elections":                   {roles: "LFFFAFFF"},
	"GET /api/v1/elections/{id}":                           {roles: "LFAAAAAA"},
	"POST /api/v1/elections/{id}/candidacy":                {roles: "LFAAAAAA"},
	"POST /api/v1/elections/{id}/nominations":              {roles: "LFAAAAAA"},
	"POST /api/v1/elections/{id}/ballot":                   {roles: "LFAAAAAA"},
	"PUT /api/v1/delegates/{id}/mandate":                   {roles: "LFFAAFFF", share: true},
	"POST /api/v1/delegates/{id}/recalls":                  {roles: "LFAAAAAA", share: true},
	"GET /api/v1/bodies/{id}/recalls":                      {roles: "LFAAAAAA"},
	"GET /api/v1/recalls/{id}":                             {roles: "LFAAAAAA"},
	"POST /api/v1/recalls/{id}/vote":                       {roles: "LFAAAAAA", share: true}, // the recall is closed: its voters get 409
	"GET /api/v1/places":                                   {roles: "AAAAAAAA"},
	"GET /api/v1/places/{code}":                            {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/motions":                      {roles: "LFFFAAFF", at: asm},
	"POST /api/v1/bodies/{id}/motions":                     {roles: "LFAAAAAA"},
	"GET /api/v1/motions/{id}":                             {roles: "LFFFAAFF", at: asm},
	"PUT /api/v1/motions/{id}":                             {roles: "LFFFAFFF"},
	"POST /api/v1/motions/{id}/status":                     {roles: "LFFFAFFF", at: discussed},
	"POST /api/v1/motions/{id}/close":                      {roles: "LFFFAFFF"},
	"POST /api/v1/motions/{id}/ballot":                     {roles: "LFFFFAFF", at: asm},
	"GET /api/v1/motions/{id}/seats":                       {roles: "LFFFAAFF", at: asm},
	"GET /api/v1/motions/{id}/comments":                    {roles: "LFAAAAAA"},
	"POST /api/v1/motions/{id}/comments":                   {roles: "LFAAAAAA", share: true},
	"GET /api/v1/motions/{id}/amendments":                  {roles: "LFAAAAAA"},
	"POST /api/v1/motions/{id}/amendments":                 {roles: "LFAAAAAA", share: true, at: discussed},
	"POST /api/v1/amendments/{id}/decision":                {roles: "LFFFAFFF", at: map[string]string{"amendments/{id}": "amendmentOpen"}},
	"POST /api/v1/amendments/{id}/ballot":                  {roles: "LFAAAAAA", share: true, at: map[string]string{"amendments/{id}": "amendmentVoting"}},
	"POST /api/v1/motions/{id}/publication":                {roles: "LFFAAFFF"},
	"GET /api/v1/communiques":                              {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/communiques":                  {roles: "AAAAAAAA"},
	"GET /api/v1/communiques/{id}":                         {roles: "AAAAAAAA"},
	"POST /api/v1/motions/{id}/referral":                   {roles: "LFFFAFFF", at: asm},
	"GET /api/v1/motions/{id}/referral":                    {roles: "LFFFAAFF", at: asm},
	"GET /api/v1/referrals/{id}":                           {roles: "LFFFAAFF"},
	"GET /api/v1/motions/{id}/bases":                       {roles: "LFFFAAFF", at: asm},
	"GET /api/v1/motions/{id}/votes":                       {roles: "LNNNAANN", at: asm},
	"GET /api/v1/bodies/{id}/instructions":                 {roles: "LFAAAAAA"},
	"GET /api/v1/bodies/{id}/record":                       {roles: "LFAAAAAA"},
	"GET /api/v1/bodies/{id}/compliance":                   {roles: "LFAAAAAA"},
	"GET /api/v1/bodies/{id}/meetings":                     {roles: "LFAAAAAA"},
	"POST /api/v1/bodies/{id}/meetings":                    {roles: "LFFAAFFF"},
	"GET /api/v1/meetings/{id}":                            {roles: "LFAAAAAA"},
	"POST /api/v1/meetings/{id}/confirmation":              {roles: "LFAAAAAA"},
	"POST /api/v1/motions/{id}/initiatives":                {roles: "LFFFAFFF", at: map[string]string{"motions/{id}": "passed"}},
	"GET /api/v1/bodies/{id}/initiatives":                  {roles: "LFAAAAAA", at: asm},
	"POST /api/v1/initiatives/{id}/endorsements":           {roles: "LFFFAFFF"},
	"GET /api/v1/me/awaiting":                              {roles: "LAAAAAAA"},
	"GET /api/v1/actions":                                  {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/actions":                      {roles: "AAAAAAAA"},
	"POST /api/v1/bodies/{id}/actions":                     {roles: "LFFAAFFF"},
	"GET /api/v1/actions/{id}":                             {roles: "NNAAAAAA"},
	"PUT /api/v1/actions/{id}":                             {roles: "LNFAAFFF"},
	"POST /api/v1/actions/{id}/status":                     {roles: "LNFAAFFF"},
	"POST /api/v1/actions/{id}/adhesions":                  {roles: "LNFAAFFF"},
	"DELETE /api/v1/actions/{id}/adhesions/{body}":         {roles: "LNFAAFFF", at: adhered},
	"POST /api/v1/actions/{id}/repressed":                  {roles: "LNFAAFFF"},
	"POST /api/v1/actions/{id}/reports":                    {roles: "LNAAAAAA", share: true},
	"GET /api/v1/photos/{id}":                              {roles: "NNAAAAAA"},
	"GET /api/v1/bodies/{id}/coordination":                 {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/coordination/daily":           {roles: "AAAAAAAA"},
	"GET /api/v1/polls":                                    {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/polls":                        {roles: "AAAAAAAA"},
	"POST /api/v1/bodies/{id}/polls":                       {roles: "LFFFAFFF"},
	"GET /api/v1/polls/{id}":                               {roles: "AAAAAAAA"},
	"PUT /api/v1/polls/{id}/calendar":                      {roles: "LFFFAFFF"},
	"POST /api/v1/polls/{id}/advance":                      {roles: "LFFFAFFF"},
	"POST /api/v1/polls/{id}/candidacies":                  {roles: "LAAAAAAA"},
	"DELETE /api/v1/poll-candidacies/{id}":                 {roles: "LAFFAFFF"},
	"POST /api/v1/polls/{id}/stations":                     {roles: "LFFFAFFF"},
	"GET /api/v1/polls/{id}/stations":                      {roles: "AAAAAAAA"},
	"GET /api/v1/poll-stations/{id}":                       {roles: "AAAAAAAA"},
	"POST /api/v1/poll-stations/{id}/sheets":               {roles: "LFAAAAAA"},
	"POST /api/v1/poll-stations/{id}/annulment":            {roles: "LFFFAFFF"},
	"GET /api/v1/polls/{id}/areas":                         {roles: "AAAAAAAA"},
	"POST /api/v1/polls/{id}/ballots":                      {roles: "LAAAAAAA"},
	"GET /api/v1/polls/{id}/receipts":                      {roles: "AAAAAAAA"},
	"POST /api/v1/polls/{id}/results":                      {roles: "LFFFAFFF"},
	"GET /api/v1/polls/{id}/results":                       {roles: "AAAAAAAA"},
	"GET /api/v1/polls/{id}/results/{version}/inputs":      {roles: "AAAAAAAA"},
	"GET /api/v1/polls/{id}/representatives":               {roles: "AAAAAAAA"},
	"POST /api/v1/poll-candidates/{id}/recalls":            {roles: "LAAAAAAA", share: true}, // a petition is open: past the sign-in, 409
	"GET /api/v1/poll-recalls/{id}":                        {roles: "AAAAAAAA"},
	"POST /api/v1/poll-recalls/{id}/signatures":            {roles: "LAAAAAAA"},
	"POST /api/v1/poll-recalls/{id}/votes":                 {roles: "LAAAAAAA", share: true}, // the petition is not yet a vote: past the sign-in, 409
	"POST /api/v1/poll-recalls/{id}/close":                 {roles: "LFFFAFFF"},
	"GET /api/v1/bodies/{id}/commissions":                  {roles: "LNAAAAAA"},
	"POST /api/v1/bodies/{id}/commissions":                 {roles: "LFFFAFFF"},
	"PUT /api/v1/commissions/{id}/members/{user}":          {roles: "LNNNANNN", at: commissioner},
	"DELETE /api/v1/commissions/{id}/members/{user}":       {roles: "LNNNANNN", at: commissioner},
	"GET /api/v1/commissions/{id}/records":                 {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/records":                {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/unlock":                 {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/lock":                   {roles: "LNNNNNNA"},
	"PUT /api/v1/commissions/{id}/passphrase":              {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/grants":                 {roles: "LNNNNNNA"},
	"PUT /api/v1/commissions/{id}/settings":                {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/lockdown":               {roles: "LNNNNNNA"},
	"GET /api/v1/report-targets":                           {roles: "LAAAAAAA"},
	"POST /api/v1/commissions/{id}/incidents":              {roles: "LNAAAAAA"},
	"GET /api/v1/commissions/{id}/incidents":               {roles: "LNNNNNNA"},
	"GET /api/v1/incidents/{id}":                           {roles: "LNNNNNNA"},
	"PUT /api/v1/incidents/{id}":                           {roles: "LNNNNNNA"},
	"POST /api/v1/incidents/{id}/check":                    {roles: "LNNNNNNA"},
	"POST /api/v1/incidents/{id}/evidence":                 {roles: "LNNNNNNA"},
	"GET /api/v1/evidence/{id}":                            {roles: "LNNNNNNA"},
	"POST /api/v1/commissions/{id}/people":                 {roles: "LNNNNNNA"},
	"GET /api/v1/people/{id}":                              {roles: "LNNNNNNA"},
	"PUT /api/v1/people/{id}":                              {roles: "LNNNNNNA"},
	"GET /api/v1/commissions/{id}/prisoners":               {roles: "LNNNNNNA"},
	"GET /api/v1/commissions/{id}/export":                  {roles: "LNNNNNNA"},
	"GET /api/v1/repression":                               {roles: "AAAAAAAA"},
	"GET /api/v1/bodies/{id}/needs":                        {roles: "LFAAAAAA"},
	"POST /api/v1/bodies/{id}/needs":                       {roles: "LFFAAFFF"},
	"POST /api/v1/bodies/{id}/offers":                      {roles: "LFFAAFFF"},
	"GET /api/v1/bodies/{id}/open-needs":                   {roles: "LFAAAAAA"},
	"GET /api/v1/needs/{id}":                               {roles: "LNAAAAAA"},
	"DELETE /api/v1/needs/{id}":                            {roles: "LNFAAFFF"},
	"GET /api/v1/needs/{id}/matches":                       {roles: "LNAAAAAA"},
	"GET /api/v1/offers/{id}":                              {roles: "LNAAAAAA"},
	"DELETE /api/v1/offers/{id}":                           {roles: "LNFFFFFF"},
	"POST /api/v1/offers/{id}/pledges":                     {roles: "LNFFFFFF"},
	"POST /api/v1/pledges/{id}/arrived":                    {roles: "LNFAAFFF"},
	"DELETE /api/v1/pledges/{id}":                          {roles: "LNFAAFFF"},
	"POST /account/password":                               {roles: "LAAAAAAA"},
	"GET /account/export":                                  {roles: "LAAAAAAA"},
	"POST /account/delete":                                 {roles: "LAAAAAAA"},
	"POST /account/journal/{seq}/erase":                    {roles: "LNNNNNNN"}, // seq 999999: not found for everyone
	"GET /api/v1/me/export":                                {roles: "LAAAAAAA"},
	"DELETE /api/v1/me":                                    {roles: "LAAAAAAA"},
	"DELETE /api/v1/journal/{seq}/content":                 {roles: "LNNNNNNN"}, // seq 999999: not found for everyone
	"PUT /api/v1/me/password":                              {roles: "LAAAAAAA"},
}

// matrixInput is a valid request: a form for a page (the CSRF token is
// added; file attaches the world's image as the form's "file"), JSON for
// the API, a query string for a GET.
type matrixInput struct {
	form  url.Values
	file  bool
	json  string
	query string
}

// matrixBodies holds a valid input for the routes whose handler checks the
// request before the role, keyed like authzMatrix: with the empty form
// every signed-in role would be refused as invalid (422), and the matrix
// would see only the sign-in. Each builds the input from the fixtures' ids
// (id("A"), id("@user") for the role's own). Most change the world, so the
// allowed roles run on copies of their own (see expect).
var matrixBodies = map[string]func(id func(string) string) matrixInput{
	// Bodies and their members.
	"POST /bodies/{id}/edit": func(id func(string) string) matrixInput {
		return form("name", "Comité de Lucha de Juliaca", "sector", "workers", "place", "211101", "public", "on")
	},
	"POST /bodies/{id}/members/{user}/role":   func(id func(string) string) matrixInput { return form("role", "secretary") },
	"POST /bodies/{id}/members/{user}/remove": func(id func(string) string) matrixInput { return form("reason", "No asiste desde marzo.") },
	"POST /bodies/{id}/requests/{req}/decide": func(id func(string) string) matrixInput { return form("decision", "approve") },
	"POST /bodies/{id}/affiliations":          func(id func(string) string) matrixInput { return form("assembly", id("A")) },
	"POST /bodies/{id}/affiliations/{aff}/decide": func(id func(string) string) matrixInput {
		return form("decision", "accept")
	},
	"POST /bodies/{id}/affiliations/{aff}/end": func(id func(string) string) matrixInput { return form("reason", "Ya no participa.") },
	"POST /bodies/{id}/elections": func(id func(string) string) matrixInput {
		return form("assembly", id("A"), "hours", "24")
	},
	"POST /delegates/{id}/mandate": func(id func(string) string) matrixInput { return form("mandate", "Votar por la huelga indefinida.") },
	"POST /delegates/{id}/recall":  func(id func(string) string) matrixInput { return form("reason", "No informa a las bases.") },
	"PUT /api/v1/bodies/{id}": func(id func(string) string) matrixInput {
		return js(`{"name": "Comité de Lucha de Juliaca", "sector": "workers", "place": "211101", "public": true}`)
	},
	"PUT /api/v1/bodies/{id}/members/{user}/role":          func(id func(string) string) matrixInput { return js(`{"role": "secretary"}`) },
	"POST /api/v1/bodies/{id}/members/{user}/removal":      func(id func(string) string) matrixInput { return js(`{"reason": "No asiste desde marzo."}`) },
	"POST /api/v1/bodies/{id}/invitations":                 func(id func(string) string) matrixInput { return js(`{"max_uses": 5, "days": 7}`) },
	"POST /api/v1/bodies/{id}/requests/{req}/decision":     func(id func(string) string) matrixInput { return js(`{"approve": true}`) },
	"POST /api/v1/bodies/{id}/affiliations":                func(id func(string) string) matrixInput { return js(`{"assembly": ` + id("A") + `}`) },
	"POST /api/v1/bodies/{id}/affiliations/{aff}/decision": func(id func(string) string) matrixInput { return js(`{"accept": true}`) },
	"POST /api/v1/affiliations/{aff}/end":                  func(id func(string) string) matrixInput { return js(`{"reason": "Ya no participa."}`) },
	"POST /api/v1/bodies/{id}/elections":                   func(id func(string) string) matrixInput { return js(`{"assembly": ` + id("A") + `, "hours": 24}`) },
	"PUT /api/v1/delegates/{id}/mandate":                   func(id func(string) string) matrixInput { return js(`{"mandate": "Votar por la huelga indefinida."}`) },
	"POST /api/v1/delegates/{id}/recalls":                  func(id func(string) string) matrixInput { return js(`{"reason": "No informa a las bases."}`) },
	"POST /api/v1/recalls/{id}/vote":                       func(id func(string) string) matrixInput { return js(`{"yes": true}`) },

	// Motions, amendments, referrals, initiatives.
	"POST /initiatives/{id}/endorse":             func(id func(string) string) matrixInput { return form("body", id("C")) },
	"POST /motions/{id}/move":                    func(id func(string) string) matrixInput { return form("to", "voting", "hours", "24") },
	"POST /motions/{id}/refer":                   func(id func(string) string) matrixInput { return form("hours", "48") },
	"POST /motions/{id}/amendments/{am}/decide":  func(id func(string) string) matrixInput { return form("act", "vote") },
	"POST /motions/{id}/amendments/{am}/vote":    func(id func(string) string) matrixInput { return form("choice", "yes") },
	"POST /api/v1/motions/{id}/status":           func(id func(string) string) matrixInput { return js(`{"status": "voting", "hours": 24}`) },
	"POST /api/v1/motions/{id}/comments":         func(id func(string) string) matrixInput { return js(`{"text": "De acuerdo."}`) },
	"POST /api/v1/motions/{id}/amendments":       func(id func(string) string) matrixInput { return js(`{"text": "Que el paro sea de 48 horas."}`) },
	"POST /api/v1/amendments/{id}/decision":      func(id func(string) string) matrixInput { return js(`{"action": "vote"}`) },
	"POST /api/v1/amendments/{id}/ballot":        func(id func(string) string) matrixInput { return js(`{"choice": "yes"}`) },
	"POST /api/v1/motions/{id}/referral":         func(id func(string) string) matrixInput { return js(`{"hours": 48}`) },
	"POST /api/v1/motions/{id}/initiatives":      func(id func(string) string) matrixInput { return js(`{"assembly": ` + id("A") + `}`) },
	"POST /api/v1/initiatives/{id}/endorsements": func(id func(string) string) matrixInput { return js(`{"body": ` + id("C") + `}`) },

	// Actions and supplies.
	"POST /actions/{id}/status":    func(id func(string) string) matrixInput { return form("status", "ongoing") },
	"POST /actions/{id}/adhere":    func(id func(string) string) matrixInput { return form("body", id("C")) },
	"POST /actions/{id}/leave":     func(id func(string) string) matrixInput { return form("body", id("C")) },
	"POST /actions/{id}/repressed": func(id func(string) string) matrixInput { return form("body", id("C"), "repressed", "1") },
	"POST /actions/{id}/reports":   func(id func(string) string) matrixInput { return form("body", id("C"), "text", "Llegamos al puente.") },
	"POST /bodies/{id}/needs": func(id func(string) string) matrixInput {
		return form("kind", "water", "quantity", "300", "unit", "litros", "description", "Agua para la olla común.", "place", "211101")
	},
	"POST /bodies/{id}/offers": func(id func(string) string) matrixInput {
		return form("kind", "water", "quantity", "300", "unit", "litros", "description", "Agua para la olla común.", "place", "211101")
	},
	"POST /offers/{id}/pledges": func(id func(string) string) matrixInput {
		return form("need_id", id("need"), "quantity", "10")
	},
	"DELETE /api/v1/actions/{id}/adhesions/{body}": func(id func(string) string) matrixInput { return matrixInput{} }, // no body, but a copy per role
	"POST /api/v1/actions/{id}/status":             func(id func(string) string) matrixInput { return js(`{"status": "ongoing"}`) },
	"POST /api/v1/actions/{id}/adhesions":          func(id func(string) string) matrixInput { return js(`{"body_id": ` + id("C") + `}`) },
	"POST /api/v1/actions/{id}/repressed":          func(id func(string) string) matrixInput { return js(`{"body_id": ` + id("C") + `, "repressed": true}`) },
	"POST /api/v1/actions/{id}/reports": func(id func(string) string) matrixInput {
		return js(`{"body_id": ` + id("C") + `, "text": "Llegamos al puente."}`)
	},
	"POST /api/v1/offers/{id}/pledges": func(id func(string) string) matrixInput { return js(`{"need_id": ` + id("need") + `, "quantity": 10}`) },

	// Public elections.
	"POST /polls/{id}/ballot":            func(id func(string) string) matrixInput { return form("list", "1") },
	"POST /polls/candidates/{id}/recall": func(id func(string) string) matrixInput { return form("reason", "No rinde cuentas.") },
	"POST /polls/{id}/stations":          func(id func(string) string) matrixInput { return form("stations", "000002,210101,40") },
	"POST /polls/{kind}/{id}/{do}":       func(id func(string) string) matrixInput { return form("reason", "Acta con tachones.") },
	"POST /api/v1/polls/{id}/stations": func(id func(string) string) matrixInput {
		return js(`{"stations": [{"code": "000002", "place": "210101", "electorate": 40}]}`)
	},
	"POST /api/v1/poll-stations/{id}/annulment": func(id func(string) string) matrixInput { return js(`{"reason": "Acta con tachones."}`) },
	"POST /api/v1/poll-candidates/{id}/recalls": func(id func(string) string) matrixInput { return js(`{"reason": "No rinde cuentas."}`) },
	"POST /api/v1/poll-recalls/{id}/votes":      func(id func(string) string) matrixInput { return js(`{"yes": true}`) },

	// The rights commission and its records.
	"POST /commissions/{id}/setup":      func(id func(string) string) matrixInput { return form("file", "on") },
	"POST /commissions/{id}/passphrase": func(id func(string) string) matrixInput { return form("new_passphrase", "una frase larga de prueba") },
	"POST /commissions/{id}/grant":      func(id func(string) string) matrixInput { return form("user", id("commissioner")) },
	"POST /commissions/{id}/members":    func(id func(string) string) matrixInput { return form("user", id("member"), "role", "member") },
	"POST /commissions/{id}/people":     func(id func(string) string) matrixInput { return form("name", "Juan Pérez", "status", "detained") },
	"POST /incidents/{id}/check":        func(id func(string) string) matrixInput { return form("state", "verified") },
	"POST /incidents/{id}/evidence":     func(id func(string) string) matrixInput { return matrixInput{file: true} },
	"POST /people/{id}": func(id func(string) string) matrixInput {
		return form("name", "Wilfredo Huamán", "status", "released")
	},
	"PUT /api/v1/commissions/{id}/members/{user}": func(id func(string) string) matrixInput { return js(`{"role": "member"}`) },
	"POST /api/v1/commissions/{id}/records":       func(id func(string) string) matrixInput { return js(`{"file": true}`) },
	"PUT /api/v1/commissions/{id}/passphrase":     func(id func(string) string) matrixInput { return js(`{"passphrase": "una frase larga de prueba"}`) },
	"POST /api/v1/commissions/{id}/grants":        func(id func(string) string) matrixInput { return js(`{"user": ` + id("commissioner") + `}`) },
	"POST /api/v1/incidents/{id}/check":           func(id func(string) string) matrixInput { return js(`{"state": "verified"}`) },
	"POST /api/v1/commissions/{id}/people":        func(id func(string) string) matrixInput { return js(`{"name": "Juan Pérez", "status": "detained"}`) },
	"PUT /api/v1/people/{id}": func(id func(string) string) matrixInput {
		return js(`{"name": "Wilfredo Huamán", "status": "released"}`)
	},
	"GET /api/v1/commissions/{id}/export": func(id func(string) string) matrixInput { return matrixInput{query: "format=json"} },
}

// form is a page's input from pairs of names and values.
func form(kv ...string) matrixInput {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return matrixInput{form: f}
}

// js is an API input.
func js(s string) matrixInput { return matrixInput{json: s} }

// matrixWorld is the fixture every request runs against: the ids it holds
// by name, and each role's credentials.
type matrixWorld struct {
	template string            // a copy of the database, for fresh worlds
	key      vault.Key         // the node's records key file
	ids      map[string]string // fixture name → path segment
	perRole  []map[string]string
	session  []string // session cookie per role ("" for anonymous)
	token    []string // API token per role
	png      []byte   // an image to upload as evidence
}

const matrixCSRF = "matrix-csrf-token-0123456789abcdef0123456789"

// buildMatrixWorld makes, through the store, a committee C (facilitator,
// secretary, member), another committee O with its member, an assembly A
// with C affiliated in which one of C's members holds a seat and another
// was recalled, a rights commission K of C with a live key and one member,
// and one of each object the routes name.
func buildMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "world.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := &matrixWorld{ids: map[string]string{}}
	if w.key, err = vault.NewKey(); err != nil {
		t.Fatal(err)
	}
	db.SetRecordsKey(&w.key)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("matrix world: %s: %v", what, err)
		}
	}
	id := func(name string, v int64) { w.ids[name] = strconv.FormatInt(v, 10) }
	h := accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
	user := func(name string) accounts.User {
		u, err := db.CreateUser(ctx, h, name, "contraseña de "+name+" 2023", "es")
		check("user "+name, err)
		return u
	}
	anyPlace := func(string) bool { return true }

	fac, sec, mem, oth, del, rec, com := user("Facilitadora"), user("Secretario"), user("Miembro"), user("Otra"), user("Delegada"), user("Revocado"), user("Comisionada")
	joiner, pfac, qfac := user("Quiere Entrar"), user("Facilitador P"), user("Facilitadora Q")

	c, err := db.CreateCommittee(ctx, fac.ID, bodies.Input{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "211101", Public: true}, anyPlace)
	check("committee", err)
	id("C", c.ID)
	o, err := db.CreateCommittee(ctx, oth.ID, bodies.Input{Name: "Otro comité", Sector: "other", Place: "080101"}, anyPlace)
	check("other committee", err)
	id("O", o.ID)
	inv, err := db.CreateInvitation(ctx, fac.ID, c.ID, bodies.InvitationInput{MaxUses: 20, Days: 7})
	check("invitation", err)
	id("inv", inv.ID)
	w.ids["code"] = inv.Code
	for _, u := range []accounts.User{sec, mem, del, rec, com} {
		_, err := db.Join(ctx, u.ID, inv.Code)
		check("join", err)
	}
	check("secretary", db.SetRole(ctx, fac.ID, c.ID, sec.ID, bodies.Secretary))
	id("member", mem.ID)
	jr, err := db.RequestToJoin(ctx, joiner.ID, c.ID, "Soy del barrio")
	check("join request", err)
	id("req", jr.ID)

	// The assembly, a committee affiliated to it (it offers supplies) and
	// one asking to be.
	a, err := db.CreateAssembly(ctx, fac.ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 2}, Founders: []int64{c.ID}}, anyPlace)
	check("assembly", err)
	id("A", a.ID)
	p, err := db.CreateCommittee(ctx, pfac.ID, bodies.Input{Name: "Comité de Puno", Sector: "workers", Place: "210101", Public: true}, anyPlace)
	check("committee P", err)
	id("P", p.ID)
	aff, err := db.RequestAffiliation(ctx, pfac.ID, p.ID, a.ID, "")
	check("affiliation P", err)
	check("accept P", db.DecideAffiliation(ctx, fac.ID, a.ID, aff.ID, true, ""))
	id("affP", aff.ID)
	q, err := db.CreateCommittee(ctx, qfac.ID, bodies.Input{Name: "Comité de Ilave", Sector: "workers", Place: "210501", Public: true}, anyPlace)
	check("committee Q", err)
	pending, err := db.RequestAffiliation(ctx, qfac.ID, q.ID, a.ID, "")
	check("affiliation Q", err)
	id("affPending", pending.ID)

	// The delegates: both elected, then one recalled.
	voters := []accounts.User{fac, sec, mem, del, rec, com}
	el, err := db.OpenElection(ctx, fac.ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Hours: 24})
	check("election", err)
	id("election", el.ID)
	check("stand", db.Stand(ctx, del.ID, el.ID, "Por la asamblea constituyente", ""))
	check("stand", db.Stand(ctx, rec.ID, el.ID, "Por la asamblea constituyente", ""))
	for _, u := range voters {
		check("ranking", db.CastRanking(ctx, u.ID, el.ID, []int64{del.ID, rec.ID}))
	}
	ds, err := db.Delegates(ctx, fac.ID, c.ID)
	check("delegates", err)
	var dDel, dRec int64
	for _, d := range ds {
		switch d.UserID {
		case del.ID:
			dDel = d.ID
		case rec.ID:
			dRec = d.ID
		}
	}
	if dDel == 0 || dRec == 0 {
		t.Fatalf("matrix world: delegates %+v", ds)
	}
	id("delegate", dDel)
	rc, err := db.OpenRecall(ctx, mem.ID, dRec, "Negoció sin mandato")
	check("recall", err)
	id("recall", rc.ID)
	for _, u := range voters {
		db.VoteRecall(ctx, u.ID, rc.ID, u.ID != rec.ID) // it may close before the last
	}
	if r, err := db.Recall(ctx, fac.ID, rc.ID); err != nil || r.Status == "open" {
		t.Fatalf("matrix world: recall %+v %v", r, err)
	}

	// Motions: one of C open to vote with an amendment, one passed (an
	// initiative, a communiqué), one decided in a meeting, and one of the
	// assembly referred to its bases and open to its delegates' vote.
	motion := func(body int64, title string, hours int) motions.Motion {
		m, err := db.CreateMotion(ctx, fac.ID, body, motions.Input{Title: title, Text: "Que " + title + "."})
		check("motion", err)
		if hours > 0 {
			m, err = db.MoveMotion(ctx, fac.ID, m.ID, motions.Voting, hours)
			check("open the vote", err)
		}
		return m
	}
	mD := motion(c.ID, "Comedor popular", 0)
	amOpen, err := db.ProposeAmendment(ctx, mem.ID, mD.ID, "Que el comedor abra también los domingos.", "")
	check("amendment", err)
	id("amendmentOpen", amOpen.ID)
	amVote, err := db.ProposeAmendment(ctx, mem.ID, mD.ID, "Que el comedor lo lleven las vecinas.", "")
	check("amendment", err)
	check("amendment to a vote", db.DecideAmendment(ctx, fac.ID, amVote.ID, "vote"))
	id("amendmentVoting", amVote.ID)
	id("motionD", mD.ID)
	mC := motion(c.ID, "Paro regional", 0)
	am, err := db.ProposeAmendment(ctx, mem.ID, mC.ID, "Que el paro sea de 72 horas.", "")
	check("amendment", err)
	id("amendment", am.ID)
	_, err = db.MoveMotion(ctx, fac.ID, mC.ID, motions.Voting, 72)
	check("open the vote", err)
	id("motion", mC.ID)
	_, err = db.AddComment(ctx, mem.ID, mC.ID, "De acuerdo.")
	check("comment", err)
	passed := motion(c.ID, "Marcha a Lima", 24)
	for _, u := range voters {
		check("vote", db.Vote(ctx, u.ID, passed.ID, 0, motions.Ballot{Choice: "yes"}))
	}
	if m, err := db.Motion(ctx, fac.ID, passed.ID); err == nil && m.Status == motions.Voting {
		_, err = db.CloseVote(ctx, fac.ID, passed.ID)
		check("close the vote", err)
	}
	id("passed", passed.ID)
	ini, err := db.SendInitiative(ctx, fac.ID, passed.ID, a.ID)
	check("initiative", err)
	id("initiative", ini.ID)
	check("publish", db.Publish(ctx, sec.ID, passed.ID))
	id("communique", passed.ID)
	inMeeting := motion(c.ID, "Olla común", 0)
	mt, err := db.RecordMeeting(ctx, sec.ID, c.ID, motions.MeetingInput{HeldOn: time.Now().In(store.Lima).Format("2006-01-02"), Place: "Plaza de Armas", Attendance: 6,
		Decisions: []motions.MeetingDecision{{MotionID: inMeeting.ID, Hands: motions.Hands{Yes: 5, No: 1}}}})
	check("meeting", err)
	id("meeting", mt.ID)
	mA := motion(a.ID, "Plataforma de lucha regional", 0)
	ref, err := db.Refer(ctx, fac.ID, mA.ID, 48)
	check("referral", err)
	id("referral", ref.ID)
	_, err = db.MoveMotion(ctx, fac.ID, mA.ID, motions.Voting, 48)
	check("open the assembly's vote", err)
	id("motionA", mA.ID)

	// An action with a report and its photo; a need of C and an offer of P
	// pledged to it.
	lat, lon := -15.49512, -70.13401
	act, err := db.CallAction(ctx, fac.ID, c.ID, actions.Input{Kind: actions.Roadblock, Title: "Bloqueo de la carretera Juliaca–Puno", Description: "Km 12.",
		Place: "211101", Lat: &lat, Lon: &lon, Start: time.Now().Add(2 * time.Hour), Visibility: actions.Federation}, anyPlace)
	check("action", err)
	id("action", act.ID)
	actP, err := db.CallAction(ctx, pfac.ID, p.ID, actions.Input{Kind: actions.Roadblock, Title: "Paro en Puno", Description: "Plaza de Armas.",
		Place: "210101", Start: time.Now().Add(3 * time.Hour), Visibility: actions.Federation}, anyPlace)
	check("action of P", err)
	check("adhere", db.Adhere(ctx, fac.ID, actP.ID, c.ID))
	id("actionP", actP.ID)
	rep, err := db.PostReport(ctx, mem.ID, act.ID, c.ID, "Llegamos al puente.", &store.Photo{Data: []byte("\xff\xd8jpeg\xff\xd9"), Width: 2, Height: 1, SHA256: "abc"})
	check("report", err)
	id("photo", rep.PhotoID)
	water := func(qty int64, place string) actions.SupplyInput {
		return actions.SupplyInput{Kind: actions.Water, Quantity: qty, Unit: "litros", Description: "Agua para la olla común.", Place: place}
	}
	need, err := db.PostNeed(ctx, fac.ID, c.ID, actions.NeedInput{SupplyInput: water(500, "211101")}, anyPlace)
	check("need", err)
	id("need", need.ID)
	offer, err := db.PostOffer(ctx, pfac.ID, p.ID, actions.OfferInput{SupplyInput: water(1000, "210101")}, anyPlace)
	check("offer", err)
	id("offer", offer.ID)
	pl, err := db.PledgeOffer(ctx, pfac.ID, offer.ID, need.ID, 200)
	check("pledge", err)
	id("pledge", pl.ID)

	// A public election of C counted on paper, published, with a recall
	// petition against the elected candidate.
	now := time.Now()
	poll, err := db.CallPoll(ctx, fac.ID, c.ID, polls.Input{Title: "Consejo regional", Scope: polls.PublicScope, Seats: 1, Method: "dhondt",
		Threshold: "5", RecallShare: "0.1",
		Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour), VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(3 * time.Hour)}})
	check("poll", err)
	id("poll", poll.ID)
	cand, err := db.RegisterCandidacy(ctx, oth.ID, poll.ID, polls.CandidacyInput{Name: "Frente", Organisation: "Frente", Sector: "workers",
		Candidates: []polls.CandidateInput{{Name: "Candidata Uno", Gender: "F"}}})
	check("candidacy", err)
	id("candidacy", cand.ID)
	_, err = db.AddStations(ctx, fac.ID, poll.ID, []polls.StationInput{{Code: "000001", Place: "210101", Electorate: 30}}, anyPlace)
	check("station", err)
	for range 2 {
		_, err = db.Advance(ctx, fac.ID, poll.ID)
		check("advance", err)
	}
	ss, err := db.Stations(ctx, 0, poll.ID, store.StationFilter{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("matrix world: stations %+v %v", ss, err)
	}
	id("station", ss[0].ID)
	for _, u := range []accounts.User{mem, sec} {
		_, err = db.EnterSheet(ctx, u.ID, ss[0].ID, 0, polls.Sheet{Votes: []int64{20}, Blank: 1})
		check("sheet", err)
	}
	_, err = db.Advance(ctx, fac.ID, poll.ID)
	check("advance", err)
	_, err = db.PublishResults(ctx, fac.ID, poll.ID, "")
	check("publish results", err)
	reps, err := db.Representatives(ctx, 0, poll.ID)
	if err != nil || len(reps) == 0 || len(reps[0].Candidates) == 0 {
		t.Fatalf("matrix world: representatives %+v %v", reps, err)
	}
	id("candidate", reps[0].Candidates[0].ID)
	pr, err := db.OpenPetition(ctx, oth.ID, reps[0].Candidates[0].ID, "No rinde cuentas")
	check("petition", err)
	id("pollRecall", pr.ID)

	// The rights commission, its key, an incident with a person and a file.
	k, err := db.CreateCommission(ctx, fac.ID, c.ID, store.CommissionInput{Name: "Comisión de Derechos Humanos", Purpose: "rights", Members: []int64{com.ID}})
	check("commission", err)
	id("K", k.ID)
	id("commissioner", com.ID)
	check("records key", db.SetUpRecords(ctx, com.ID, k.ID, store.RecordsSetup{File: true}))
	inc, err := db.ReportIncident(ctx, mem.ID, k.ID, store.Report{Input: incidents.Input{Kind: incidents.Detained, At: now.Add(-time.Hour), Place: "210101",
		Force: incidents.Police, Affected: 1, Description: "Detenido en la marcha al aeropuerto."},
		People: []string{"Wilfredo Huamán"}, Evidence: []store.EvidenceFile{{Name: "foto.png", Data: pngData(t)}}}, anyPlace)
	check("incident", err)
	id("incident", inc)
	ir, err := db.Incident(ctx, com.ID, inc)
	if err != nil || len(ir.People) != 1 || len(ir.Evidence) != 1 {
		t.Fatalf("matrix world: incident %+v %v", ir, err)
	}
	id("person", ir.People[0].ID)
	id("evidence", ir.Evidence[0].ID)

	// Each role's session, a second session and a token to end, and an
	// API token.
	roleUser := []int64{0, oth.ID, mem.ID, sec.ID, fac.ID, del.ID, rec.ID, com.ID}
	w.session = make([]string, len(roleUser))
	w.token = make([]string, len(roleUser))
	w.perRole = make([]map[string]string, len(roleUser))
	for i, u := range roleUser {
		w.perRole[i] = map[string]string{"@session": "999999", "@token": "999999", "@user": "999999"}
		if u == 0 {
			continue
		}
		w.perRole[i]["@user"] = strconv.FormatInt(u, 10)
		w.session[i], err = db.CreateSession(ctx, u, "matrix")
		check("session", err)
		tok, err := db.CreateToken(ctx, u, accounts.TokenSpec{Name: "matrix", Scopes: []string{accounts.ScopeWrite}})
		check("token", err)
		w.token[i] = tok.Secret
		extra, err := db.CreateToken(ctx, u, accounts.TokenSpec{Name: "to revoke", Scopes: []string{accounts.ScopeWrite}})
		check("token", err)
		w.perRole[i]["@token"] = strconv.FormatInt(extra.ID, 10)
		_, err = db.CreateSession(ctx, u, "other device")
		check("session", err)
		ss, err := db.Sessions(ctx, u, 0)
		check("sessions", err)
		for _, s := range ss {
			if s.Device == "other device" {
				w.perRole[i]["@session"] = strconv.FormatInt(s.ID, 10)
			}
		}
	}
	w.ids["file"] = "app.css"
	w.ids["version"] = "1"
	w.ids["place"] = "210101"
	w.ids["noSeq"] = "999999" // a journal entry that does not exist: erasing it is 404 for all
	w.ids["stations"] = "stations"
	w.ids["sheet"] = "sheet"
	w.ids["annul"] = "annul"
	w.png = pngData(t)

	w.template = filepath.Join(dir, "template.db")
	if err := db.ExecRaw(ctx, "VACUUM INTO '"+w.template+"'"); err != nil {
		t.Fatal(err)
	}
	return w
}

// matrixWildcards names, for each wildcard of a pattern (by the segment
// before it), the fixture it takes.
var matrixWildcards = map[string]string{
	"bodies/{id}":           "C",
	"members/{user}":        "member",
	"invitations/{inv}":     "inv",
	"requests/{req}":        "req",
	"affiliations/{aff}":    "affPending",
	"join/{code}":           "code",
	"elections/{id}":        "election",
	"delegates/{id}":        "delegate",
	"recalls/{id}":          "recall",
	"motions/{id}":          "motion",
	"amendments/{am}":       "amendment",
	"amendments/{id}":       "amendment",
	"referrals/{id}":        "referral",
	"communiques/{id}":      "communique",
	"meetings/{id}":         "meeting",
	"initiatives/{id}":      "initiative",
	"actions/{id}":          "action",
	"adhesions/{body}":      "C",
	"photos/{id}":           "photo",
	"polls/{id}":            "poll",
	"results/{version}":     "version",
	"candidacies/{id}":      "candidacy",
	"poll-candidacies/{id}": "candidacy",
	"candidates/{id}":       "candidate",
	"poll-candidates/{id}":  "candidate",
	"poll-stations/{id}":    "station",
	"poll-recalls/{id}":     "pollRecall",
	"polls/{kind}":          "stations",
	"{kind}/{id}":           "station",
	"{id}/{do}":             "sheet",
	"commissions/{id}":      "K",
	"incidents/{id}":        "incident",
	"evidence/{id}":         "evidence",
	"people/{id}":           "person",
	"needs/{id}":            "need",
	"offers/{id}":           "offer",
	"pledges/{id}":          "pledge",
	"static/{file}":         "file",
	"places/{code}":         "place",
	"sessions/{id}":         "@session",
	"tokens/{id}":           "@token",
	"journal/{seq}":         "noSeq",
}

var matrixWildcard = regexp.MustCompile(`\{[^}]+\}`)

// matrixPath fills a pattern's wildcards for one role.
func (w *matrixWorld) path(t *testing.T, key, pattern string, e expect, role int) string {
	t.Helper()
	orig := strings.Split(strings.TrimSuffix(pattern, "{$}"), "/")
	segs := append([]string(nil), orig...)
	for i, s := range orig {
		if !matrixWildcard.MatchString(s) {
			continue
		}
		k := orig[i-1] + "/" + s
		name, ok := e.at[k]
		if !ok {
			name, ok = matrixWildcards[k]
		}
		if !ok {
			t.Fatalf("%s: no fixture for %s", key, k)
		}
		v, ok := w.ids[name]
		if strings.HasPrefix(name, "@") {
			v, ok = w.perRole[role][name]
		}
		if !ok {
			t.Fatalf("%s: fixture %q was not built", key, name)
		}
		segs[i] = v
	}
	return strings.Join(segs, "/")
}

// matrixApp is a server over a copy of the world's database.
func (w *matrixWorld) app(t *testing.T) (http.Handler, func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	b, err := os.ReadFile(w.template)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetRecordsKey(&w.key)
	cfg := server.DefaultConfig()
	cfg.Hasher = accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
	var logs io.Writer = io.Discard
	if os.Getenv("AUTHZ_MATRIX_LOG") != "" {
		logs = os.Stderr
	}
	app, err := server.New(cfg, db, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return app, func() { db.Close() }
}

// matrixSend sends one request as a role: a browser's cookies and a CSRF
// token for the pages, a bearer token for the API; the route's valid input
// when it has one (see matrixBodies), else an empty form or an empty JSON
// object for whatever writes.
func (w *matrixWorld) send(app http.Handler, method, path string, role int, in *matrixInput) *httptest.ResponseRecorder {
	var req *http.Request
	isAPI := strings.HasPrefix(path, "/api/v1/")
	if in != nil && in.query != "" {
		path += "?" + in.query
	}
	switch {
	case method == "GET" || method == "DELETE":
		req = httptest.NewRequest(method, path, nil)
	case isAPI:
		body := "{}"
		if in != nil && in.json != "" {
			body = in.json
		}
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	case in != nil && in.file:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", matrixCSRF)
		for k, vs := range in.form {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("file", "foto.png")
		fw.Write(w.png)
		mw.Close()
		req = httptest.NewRequest(method, path, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	default:
		form := url.Values{}
		if in != nil {
			for k, vs := range in.form {
				form[k] = vs
			}
		}
		form.Set("csrf", matrixCSRF)
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if isAPI {
		if w.token[role] != "" {
			req.Header.Set("Authorization", "Bearer "+w.token[role])
		}
	} else {
		req.AddCookie(&http.Cookie{Name: "asamblea-csrf", Value: matrixCSRF})
		if w.session[role] != "" {
			req.AddCookie(&http.Cookie{Name: "asamblea", Value: w.session[role]})
		}
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec
}

// input builds a route's valid input for one role, with the world's ids.
func (w *matrixWorld) input(t *testing.T, key string, role int) *matrixInput {
	t.Helper()
	build, ok := matrixBodies[key]
	if !ok {
		return nil
	}
	in := build(func(name string) string {
		v, ok := w.ids[name]
		if strings.HasPrefix(name, "@") {
			v, ok = w.perRole[role][name]
		}
		if !ok {
			t.Fatalf("%s: the valid input names fixture %q, which was not built", key, name)
		}
		return v
	})
	return &in
}

// matrixOrder is the order the roles of a route with a valid input are
// sent in: the denied ones first, which change nothing, then the allowed
// ones.
func matrixOrder(roles string) []int {
	var denied, allowed []int
	for i := range matrixRoles {
		if i < len(roles) && roles[i] == 'A' {
			allowed = append(allowed, i)
		} else {
			denied = append(denied, i)
		}
	}
	return append(denied, allowed...)
}

// matrixClass reduces a response to the letter of an expectation, or "5"
// for a server error.
func matrixClass(rec *httptest.ResponseRecorder) byte {
	switch s := rec.Code; {
	case s >= 500:
		return '5'
	case s == http.StatusUnauthorized:
		return 'L'
	case s == http.StatusForbidden:
		return 'F'
	case s == http.StatusNotFound:
		return 'N'
	case s >= 300 && s < 400 && strings.HasPrefix(rec.Header().Get("Location"), "/login"):
		return 'L'
	}
	return 'A'
}

// TestAuthzMatrix sends every route of the pages and the API as every role
// and checks who is let through, against authzMatrix. A route without an
// entry fails, and so does an entry for a route that is gone.
func TestAuthzMatrix(t *testing.T) {
	start := time.Now()
	w := buildMatrixWorld(t)
	built := time.Since(start)
	app, done := w.app(t)
	defer done()

	record := os.Getenv("AUTHZ_MATRIX_RECORD") != ""
	var lines []string
	seen := map[string]bool{}
	checked, skipped, fresh, bodied, copies := 0, 0, 0, 0, 0
	for _, rt := range app.(*server.Server).Routes() {
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			t.Errorf("%s: declared twice", key)
			continue
		}
		seen[key] = true
		e, ok := authzMatrix[key]
		if !ok && !record {
			t.Errorf("%s: no entry in authzMatrix: add one with what each role may do", key)
			continue
		}
		if e.skip != "" {
			skipped++
			continue
		}
		_, valid := matrixBodies[key]
		if valid {
			bodied++
		}
		target := app
		if e.fresh || rt.Method != "GET" || valid {
			fresh++
			a, d := w.app(t)
			target = a
			defer d()
		}
		got := make([]byte, len(matrixRoles))
		codes := make([]string, len(matrixRoles))
		through := false // an allowed role went through on target
		for _, role := range matrixOrder(e.roles) {
			allowed := role < len(e.roles) && e.roles[role] == 'A'
			if valid && allowed && through && !e.share {
				// What the last role did may change what this one gets.
				copies++
				a, d := w.app(t)
				target = a
				defer d()
			}
			through = through || allowed
			path := w.path(t, key, rt.Pattern, e, role)
			res := w.send(target, rt.Method, path, role, w.input(t, key, role))
			got[role] = matrixClass(res)
			codes[role] = strconv.Itoa(res.Code)
			if os.Getenv("AUTHZ_MATRIX_BODY") == key {
				t.Logf("%s as %s: %d %.300s", key, matrixRoles[role], res.Code, res.Body.String())
			}
			if got[role] == '5' {
				t.Errorf("%s as %s (%s %s): %d\n%.300s", key, matrixRoles[role], rt.Method, path, res.Code, res.Body.String())
			}
			checked++
		}
		if record {
			lines = append(lines, fmt.Sprintf("\t%q: {roles: %q}, // %s", key, got, strings.Join(codes, " ")))
			continue
		}
		if string(got) != e.roles {
			var diff []string
			for i := range got {
				if i < len(e.roles) && got[i] != e.roles[i] {
					diff = append(diff, fmt.Sprintf("%s got %c (%s), want %c", matrixRoles[i], got[i], codes[i], e.roles[i]))
				}
			}
			t.Errorf("%s: got %s, want %s: %s", key, got, e.roles, strings.Join(diff, "; "))
		}
	}
	if record {
		fmt.Println(strings.Join(lines, "\n"))
	}
	var stale []string
	for key := range authzMatrix {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("%s: in authzMatrix but no longer a route: remove its entry", key)
	}
	t.Logf("authorization matrix: %d routes × %d roles = %d requests checked (%d routes on a fresh world, %d with a valid input and %d more copies for them), %d routes not exercised; world built in %v, all in %v",
		len(seen)-skipped, len(matrixRoles), checked, fresh, bodied, copies, skipped, built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
