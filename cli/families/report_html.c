/* report_html.c - owns the self-contained HTML report of `cluster --html`
 * and `eval --html`: the data as one JSON block, and a small inline script
 * (no network, no library) that draws the SVG family map, the sweep plot
 * and the family table from it. */
#include "families/families.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EDGES 20000 /* links drawn on the map; the rest are counted */

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>malgopher families</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}\n"
    "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}\n"
    "#summary{color:#444}.box{border:1px solid #ddd;border-radius:6px;padding:.5em;overflow:auto}\n"
    "#map svg{width:100%;height:auto;max-height:80vh}\n"
    "circle.disc{fill:#f6f6f6;stroke:#ccc}circle.node{stroke:#333;stroke-width:.4}\n"
    "circle.node.central{stroke:#000;stroke-width:1.6}line.edge{stroke:#999;stroke-opacity:.35}\n"
    "text.fam{font-size:9px;fill:#666;text-anchor:middle}a.famlink text{fill:#1a4f8f;text-decoration:underline}\n"
    "circle.node.dim{opacity:.15}th[data-k]{cursor:pointer}th[aria-sort=ascending]:after{content:' \\25b2'}"
    "th[aria-sort=descending]:after{content:' \\25bc'}tr.family:target{background:#fff6cc}\n"
    "#legend span{display:inline-block;margin:0 .9em .3em 0}#legend i{display:inline-block;width:.8em;"
    "height:.8em;border-radius:50%;margin-right:.3em;vertical-align:-1px;border:1px solid #333}\n"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2em .6em;text-align:left;"
    "vertical-align:top}th{background:#fafafa}td.num{text-align:right}details summary{cursor:pointer}\n"
    "#plot svg{width:720px;max-width:100%;height:auto}.axis{stroke:#333}.grid{stroke:#eee}\n"
    "#plot text{font-size:11px}\n"
    ".timeline h3{font-size:1em;margin:.8em 0 .3em}.timeline ol{list-style:none;padding-left:.4em;margin:0}\n"
    "li.member{padding:.15em 0}li.member .keys{color:#666;font-size:.9em}li.step{border-left:3px solid #9bd;"
    "margin-left:.5em;padding:.1em .6em;color:#345}li.step summary{cursor:pointer}.step-detail ul{margin:.1em 0 .5em;"
    "font:12px/1.35 ui-monospace,monospace}.step-detail p{margin:.4em 0 0}\n"
    "</style></head><body>\n"
    "<h1>malgopher: families of Go executables</h1>\n"
    "<p id=\"summary\">The report needs JavaScript to draw itself.</p>\n"
    "<p><label>Search families and samples: <input id=\"search\" type=\"search\" size=\"40\" "
    "placeholder=\"name, path, label, Go version, OS/arch\"></label></p>\n"
    "<h2>Family map</h2><div id=\"legend\"></div><div id=\"map\" class=\"box\"></div>\n"
    "<h2>Threshold sweep</h2><div id=\"plot\" class=\"box\"></div>\n"
    "<h2>Families</h2><p>Export the rows shown: <a id=\"export-csv\" download=\"families.csv\">CSV</a> "
    "<a id=\"export-json\" download=\"families.json\">JSON</a>. Click a heading to sort.</p>"
    "<div class=\"box\"><table id=\"families\"><thead><tr><th data-k=\"family\">family</th><th data-k=\"name\">name</th>"
    "<th data-k=\"size\">size</th><th data-k=\"go\">Go versions</th><th data-k=\"osarch\">OS/arch</th>"
    "<th data-k=\"first\">first version</th><th data-k=\"last\">last version</th><th data-k=\"labels\">labels</th>"
    "<th>members</th></tr></thead><tbody></tbody></table></div>\n"
    "<h2>Family timelines</h2><p>Members in release order (main-module version when all have one, else Go version, then vcs.time, "
    "else name); between neighbours, what changed. Click a step for the details.</p>"
    "<div id=\"timelines\" class=\"box\"></div>\n"
    "<script type=\"application/json\" id=\"data\">";

static const char page_tail[] =
    "</script>\n<script>\n"
    "(function(){\n"
    "'use strict';\n"
    "var D=JSON.parse(document.getElementById('data').textContent);\n"
    "var NS='http://www.w3.org/2000/svg';\n"
    "function el(name,attrs,parent,text){var e=document.createElementNS(NS,name);\n"
    " for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;\n"
    " if(parent)parent.appendChild(e);return e;}\n"
    "function h(name,text,parent){var e=document.createElement(name);if(text!==undefined)e.textContent=text;\n"
    " if(parent)parent.appendChild(e);return e;}\n"
    /* a 30-colour qualitative palette (greedy max-min in CIELAB, L 30-85: every
     * pair at least 31 CIE76 units apart); past 30 labels, golden-angle hues */
    "var PAL=['#1f77b4','#00ee00','#ff0000','#0000ff','#ff33bb','#666600','#00eecc','#ffaaaa','#ffcc00',"
    "'#7755dd','#882211','#006655','#99dd66','#773366','#dd11ff','#eeaaff','#ff2266','#aacccc','#ff8833',"
    "'#ddcc88','#007700','#775544','#00ccff','#0088ff','#880088','#aa88aa','#77aa77','#dd6699','#00ee88','#bbdd00'];\n"
    "document.body.setAttribute('data-palette',PAL.join(' '));\n"
    "function colour(l){return l<0?'#bbb':l<PAL.length?PAL[l]:'hsl('+Math.round((l*137.508)%360)+',60%,'+(l%2?'40%':'60%')+')';}\n"
    "var S=D.samples,F=D.families,L=D.labels;\n"
    /* summary */
    "var sum='';\n"
    "function f4(x){return x.toFixed(4);}\n"
    /* map layout: a disc per family, packed in shelves; members on a sunflower spiral */
    "var unit=7,W=1100,x=0,y=0,rowh=0,pos=new Array(S.length),discs=[];\n"
    "var members=F.map(function(){return [];});\n"
    "S.forEach(function(s,i){members[s[2]].push(i);});\n"
    "F.forEach(function(f,k){var m=members[k],r=unit*(Math.sqrt(m.length)*1.15+0.9);\n"
    " if(x+2*r>W&&x>0){x=0;y+=rowh+6;rowh=0;}\n"
    " var cx=x+r,cy=y+r;x+=2*r+6;rowh=Math.max(rowh,2*r);discs.push([cx,cy,r]);\n"
    " m.forEach(function(i,j){var a=j*2.39996,d=unit*1.15*Math.sqrt(j+(m.length>1?0.5:0));\n"
    "  pos[i]=[cx+d*Math.cos(a),cy+d*Math.sin(a)];});});\n"
    "var H=y+rowh+6;\n"
    "var svg=el('svg',{viewBox:'-6 -6 '+(W+12)+' '+(H+12),role:'img'},document.getElementById('map'));\n"
    "var gd=el('g',{},svg),ge=el('g',{},svg),gn=el('g',{},svg);\n"
    "discs.forEach(function(d,k){el('circle',{'class':'disc',cx:d[0],cy:d[1],r:d[2]},gd);\n"
    " if(F[k][0]>1){var a=el('a',{href:'#fam-'+(k+1),'class':'famlink'},gd);\n"
    "  el('text',{'class':'fam',x:d[0],y:d[1]-d[2]+9},a,(k+1)+' '+(F[k][2].length>22?F[k][2].slice(0,21)+'\u2026':F[k][2]));}});\n"
    "D.edges.forEach(function(e){var a=pos[e[0]],b=pos[e[1]];\n"
    " el('line',{'class':'edge',x1:a[0],y1:a[1],x2:b[0],y2:b[1],'stroke-width':0.3+e[2]/100},ge);});\n"
    "var central={};F.forEach(function(f){central[f[1]]=1;});\n"
    "S.forEach(function(s,i){var c=el('circle',{'class':'node'+(central[i]?' central':''),cx:pos[i][0],"
    "cy:pos[i][1],r:unit*0.5,fill:colour(s[1])},gn);\n"
    " el('title',{},c,s[0]+(s[1]>=0?'\\nlabel: '+L[s[1]]:'')+'\\nfamily '+(s[2]+1)+(central[i]?' (central)':''));});\n"
    /* legend */
    "var lg=document.getElementById('legend');\n"
    "var used={},nolab=false;S.forEach(function(s){if(s[1]>=0)used[s[1]]=1;else nolab=true;});\n"
    "L.forEach(function(name,l){if(!used[l])return;var sp=h('span','',lg),i=h('i','',sp);"
    "i.style.background=colour(l);sp.appendChild(document.createTextNode(name));});\n"
    "if(L.length&&nolab){var sp=h('span','',lg),i=h('i','',sp);i.style.background=colour(-1);"
    "sp.appendChild(document.createTextNode('no label'));}\n"
    /* family table: name, size, Go versions, OS/arch, first/last version; search, sort, export */
    "function vparts(v){return v.replace(/^v/,'').split(/[^0-9]+/).filter(function(x){return x!=='';}).map(Number);}\n"
    "function vcmp(a,b){var x=vparts(a),y=vparts(b);for(var i=0;i<Math.max(x.length,y.length);i++){\n"
    " var d=(x[i]||0)-(y[i]||0);if(d)return d;}return a<b?-1:a>b?1:0;}\n"
    "function distinct(a){var o={};a.forEach(function(x){if(x)o[x]=1;});return Object.keys(o).sort(vcmp);}\n"
    "var ROWS=F.map(function(f,k){var m=members[k];\n"
    " var vs=m.map(function(i){return S[i][5];}).filter(function(v){return v&&v!=='(devel)';}).sort(vcmp);\n"
    " var cnt={};m.forEach(function(i){var l=S[i][1];if(l>=0)cnt[l]=(cnt[l]||0)+1;});\n"
    " var ks=Object.keys(cnt).sort(function(a,b){return cnt[b]-cnt[a];});\n"
    " return {family:k+1,name:f[2],size:f[0],go:distinct(m.map(function(i){return S[i][3];})).join(' '),\n"
    "  osarch:distinct(m.map(function(i){return S[i][4];})).join(' '),first:vs.length?vs[0]:'',last:vs.length?vs[vs.length-1]:'',\n"
    "  labels:ks.map(function(l){return L[l]+':'+cnt[l];}).join(' '),members:m.map(function(i){return S[i][0];}),central:S[f[1]][0]};});\n"
    "var COLS=['family','name','size','go','osarch','first','last','labels'];\n"
    "var tb=document.querySelector('#families tbody');\n"
    "ROWS.forEach(function(r){var tr=h('tr','',tb);tr.className='family';tr.id='fam-'+r.family;r.tr=tr;\n"
    " COLS.forEach(function(c){var td=h('td',String(r[c]),tr);if(c==='family'||c==='size')td.className='num';});\n"
    " var td=h('td','',tr),det=h('details','',td);h('summary',r.size+' member'+(r.size>1?'s':'')+' (central: '+r.central+')',det);\n"
    " h('pre',r.members.join('\\n'),det);});\n"
    "var order=ROWS.slice(),sortk=null,sortdir=1;\n"
    "function visible(){return order.filter(function(r){return !r.tr.hidden;});}\n"
    "function csvq(x){x=String(x);return /[\",\\n\\r]/.test(x)?'\"'+x.replace(/\"/g,'\"\"')+'\"':x;}\n"
    "function exportUpdate(){var v=visible();\n"
    " var csv=['family,name,size,go_versions,os_arch,first_version,last_version,labels,members'].concat(v.map(function(r){\n"
    "  return [r.family,r.name,r.size,r.go,r.osarch,r.first,r.last,r.labels,r.members.join(' ')].map(csvq).join(',');})).join('\\n')+'\\n';\n"
    " var js=JSON.stringify(v.map(function(r){return {family:r.family,name:r.name,size:r.size,go_versions:r.go.split(' ').filter(String),\n"
    "  os_arch:r.osarch.split(' ').filter(String),first_version:r.first,last_version:r.last,labels:r.labels,members:r.members};}));\n"
    " document.getElementById('export-csv').setAttribute('href','data:text/csv;charset=utf-8,'+encodeURIComponent(csv));\n"
    " document.getElementById('export-json').setAttribute('href','data:application/json;charset=utf-8,'+encodeURIComponent(js));\n"
    " document.body.setAttribute('data-rows',v.length);\n"
    " document.body.setAttribute('data-order',v.map(function(r){return r.family;}).join(' '));}\n"
    "function sortBy(k){if(sortk===k)sortdir=-sortdir;else{sortk=k;sortdir=1;}\n"
    " var num=k==='family'||k==='size',ver=k==='first'||k==='last'||k==='go';\n"
    " order.sort(function(a,b){var x=a[k],y=b[k],d=num?x-y:ver?vcmp(x,y):(x<y?-1:x>y?1:0);return sortdir*d||a.family-b.family;});\n"
    " order.forEach(function(r){tb.appendChild(r.tr);});\n"
    " document.querySelectorAll('#families th').forEach(function(th){th.removeAttribute('aria-sort');\n"
    "  if(th.getAttribute('data-k')===k)th.setAttribute('aria-sort',sortdir>0?'ascending':'descending');});\n"
    " exportUpdate();}\n"
    "document.querySelectorAll('#families th[data-k]').forEach(function(th){th.addEventListener('click',function(){sortBy(th.getAttribute('data-k'));});});\n"
    "var SB=document.getElementById('search');\n"
    "function search(){var q=SB.value.trim().toLowerCase();\n"
    " ROWS.forEach(function(r){r.tr.hidden=!!q&&[r.name,r.labels,r.go,r.osarch,r.first,r.last].concat(r.members).join('\\n').toLowerCase().indexOf(q)<0;});\n"
    " document.querySelectorAll('circle.node').forEach(function(c,i){c.classList.toggle('dim',!!q&&S[i][0].toLowerCase().indexOf(q)<0&&ROWS[S[i][2]].tr.hidden);});\n"
    " exportUpdate();}\n"
    "SB.addEventListener('input',search);\n"
    "exportUpdate();\n"
    /* test hook: #test=search:Q,sort:KEY,... performs the actions on load (the browser test) */
    "var th1=/^#test=(.*)$/.exec(location.hash);\n"
    "if(th1)decodeURIComponent(th1[1]).split(',').forEach(function(a){var i=a.indexOf(':'),op=a.slice(0,i),v=a.slice(i+1);\n"
    " if(op==='search'){SB.value=v;SB.dispatchEvent(new Event('input'));}\n"
    " else if(op==='sort'){var t=document.querySelector('#families th[data-k=\"'+v+'\"]');if(t)t.click();}});\n"
    /* sweep plot */
    "var P=document.getElementById('plot');\n"
    "if(!D.sweep.length){h('p','No labels were given: nothing to score.',P);}else{\n"
    " var pw=720,ph=330,ml=46,mr=180,mt=12,mb=40,iw=pw-ml-mr,ih=ph-mt-mb;\n"
    " var ps=el('svg',{viewBox:'0 0 '+pw+' '+ph,id:'sweep'},P);\n"
    " function X(t){return ml+iw*t/100;}function Y(v){return mt+ih*(1-v);}\n"
    " for(var t=0;t<=100;t+=10){el('line',{'class':'grid',x1:X(t),y1:Y(0),x2:X(t),y2:Y(1)},ps);"
    "el('text',{x:X(t),y:Y(0)+15,'text-anchor':'middle'},ps,String(t));}\n"
    " for(var v=0;v<=1.0001;v+=0.2){el('line',{'class':'grid',x1:X(0),y1:Y(v),x2:X(100),y2:Y(v)},ps);"
    "el('text',{x:ml-6,y:Y(v)+4,'text-anchor':'end'},ps,v.toFixed(1));}\n"
    " el('line',{'class':'axis',x1:X(0),y1:Y(0),x2:X(100),y2:Y(0)},ps);"
    "el('line',{'class':'axis',x1:X(0),y1:Y(0),x2:X(0),y2:Y(1)},ps);\n"
    " el('text',{x:X(50),y:ph-6,'text-anchor':'middle'},ps,'threshold');\n"
    " el('line',{x1:X(D.threshold),y1:Y(0),x2:X(D.threshold),y2:Y(1),stroke:'#c00','stroke-dasharray':'2 3'},ps);\n"
    " var series=[[D.sweep,4,'#1f5fbf','',D.measure+' V-measure',2.2],[D.sweep,2,'#1f5fbf','6 3','homogeneity',1.2],"
    "[D.sweep,3,'#1f5fbf','1 3','completeness',1.4],[D.file_sweep,4,'#d08000','','ssdeep of file V',1.8],[D.other_sweep,4,'#7a3fbf','',D.other+' V-measure',1.8]];\n"
    " var ly=mt+8;function key(c,d,w,name){el('line',{x1:pw-mr+10,y1:ly,x2:pw-mr+34,y2:ly,stroke:c,"
    "'stroke-dasharray':d,'stroke-width':w},ps);el('text',{x:pw-mr+39,y:ly+4},ps,name);ly+=17;}\n"
    " series.forEach(function(s){if(!s[0]||!s[0].length)return;\n"
    "  el('polyline',{'class':'series',fill:'none',stroke:s[2],'stroke-dasharray':s[3],'stroke-width':s[5],"
    "points:s[0].map(function(r){return X(r[0])+','+Y(r[s[1]]);}).join(' ')},ps);key(s[2],s[3],s[5],s[4]);});\n"
    " if(D.exact){el('line',{x1:X(0),y1:Y(D.exact[3]),x2:X(100),y2:Y(D.exact[3]),stroke:'#2a9d3a',"
    "'stroke-dasharray':'8 4','stroke-width':1.5},ps);key('#2a9d3a','8 4',1.5,'exact gimphash V');}\n"
    " key('#c00','2 3',1,'threshold '+D.threshold);\n"
    " var best=D.sweep.reduce(function(b,r){return r[4]>b[4]+1e-12?r:b;});\n"
    " h('p','Best '+D.measure+' V-measure: '+f4(best[4])+' at threshold '+best[0]+'.',P);}\n"
    /* family timelines: members in order, a step between neighbours whose details fill on click */
    "var TL=document.getElementById('timelines'),T=D.timelines||[],cap=D.timeline_cap;\n"
    "if(!T.length)h('p','No family has two or more members.',TL);\n"
    "if(D.timelines_cut)h('p',D.timelines_cut+' large families left off the timelines (member budget).',TL);\n"
    "function fill(det,st){var box=h('div','',det);box.className='step-detail';\n"
    " function list(title,items,total,fmt){if(!total)return;var p=h('p','',box);\n"
    "  h('b',title+' ('+total+(total>items.length?', first '+items.length+' shown':'')+')',p);\n"
    "  var ul=h('ul','',box);items.forEach(function(x){h('li',fmt(x),ul);});}\n"
    " function id(x){return x;}function pk(x){return (x[0]||'(compiler-generated)')+' ('+x[1]+' functions)';}\n"
    " function dv(x){return x[0]+' '+x[1]+(x.length>2?' \u2192 '+x[2]:'');}\n"
    " list('packages added',st['P+'],st.pa,pk);list('packages removed',st['P-'],st.pr,pk);\n"
    " list('dependencies added',st['D+'],st.da,dv);list('dependencies removed',st['D-'],st.dr,dv);\n"
    " list('dependencies changed',st['D~'],st.dc,dv);\n"
    " list('functions added',st['F+'],st.fa,id);list('functions removed',st['F-'],st.fr,id);\n"
    " if(!box.firstChild)h('p','Nothing changed.',box);}\n"
    "T.forEach(function(t){var sec=h('div','',TL);sec.className='timeline';\n"
    " h('h3','Family '+(t.family+1)+' ('+t.members.length+' members)',sec);var ol=h('ol','',sec);\n"
    " t.members.forEach(function(m,i){var li=h('li','',ol);li.className='member';h('span',S[m[0]][0],li);\n"
    "  var keys=[m[1],m[2],m[3]].filter(function(x){return x;});\n"
    "  if(keys.length)h('span','  '+keys.join(' \u00b7 '),li).className='keys';\n"
    "  var st=t.steps[i];if(!st)return;var sl=h('li','',ol);sl.className='step';\n"
    "  if(st.err){h('span','cannot compare: '+st.err,sl);return;}\n"
    "  var det=h('details','',sl);det.className='step';var sm=h('summary','',det);\n"
    "  sm.textContent='+'+st.fa+'/\u2212'+st.fr+' functions, +'+st.pa+'/\u2212'+st.pr+' packages ('+st.pc+\n"
    "   ' changed), '+(st.nobi?'dependencies unknown (no build info in '+({A:'the earlier',B:'the later',both:'either'})[st.nobi]+')':\n"
    "   '+'+st.da+'/\u2212'+st.dr+' dependencies ('+st.dc+' changed)');\n"
    "  sm.addEventListener('click',function(){if(!det.getAttribute('data-filled')){fill(det,st);"
    "det.setAttribute('data-filled','1');}});});});\n"
    "document.body.setAttribute('data-timelines',T.length);\n"
    /* test hook: #open-step-K clicks step K (0-based, all timelines; the browser test) */
    "var hk=/^#open-step-([0-9]+)$/.exec(location.hash);\n"
    "if(hk){var s1=document.querySelectorAll('details.step summary')[+hk[1]];\n"
    " if(s1){s1.click();document.body.setAttribute('data-step-open',s1.parentNode.open?'1':'0');}}\n"
    "var vm=D.vm?'; homogeneity '+f4(D.vm[0])+', completeness '+f4(D.vm[1])+', V-measure '+f4(D.vm[2]):'';\n"
    "var nn=document.querySelectorAll('circle.node').length,nf=document.querySelectorAll('tr.family').length;\n"
    "var p=document.getElementById('summary');p.textContent='';\n"
    "p.appendChild(document.createTextNode(''));\n"
    "var b1=h('b',String(nn),p);b1.id='n-nodes';p.appendChild(document.createTextNode(' samples in '));\n"
    "var b2=h('b',String(nf),p);b2.id='n-families';\n"
    "p.appendChild(document.createTextNode(' families at threshold '+D.threshold+vm+'. Links drawn: '"
    "+D.edges.length+(D.edges_total>D.edges.length?' of '+D.edges_total:'')+'.'));\n"
    "document.body.setAttribute('data-nodes',nn);document.body.setAttribute('data-families',nf);\n"
    "document.body.setAttribute('data-ready','1');\n"
    "})();\n</script>\n</body></html>\n";

static void rows_json(FILE *o, const char *key, const score_row *r, size_t n)
{
    fprintf(o, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s[%d,%zu,%.6f,%.6f,%.6f]", i ? "," : "", r[i].threshold, r[i].nfam, r[i].m.homogeneity,
                r[i].m.completeness, r[i].m.v_measure);
    fputc(']', o);
}

/* the links drawn: pairs >= threshold inside a family, copies to their representative */
static void edges_json(FILE *o, const report *r)
{
    const graph *g = r->g;
    size_t shown = 0, total = 0;
    fputs(",\"edges\":[", o);
    for (size_t i = 0; i < g->n; i++)
        if (g->reps[i] != i && r->threshold <= 100) {
            if (shown < MAX_EDGES)
                fprintf(o, "%s[%u,%zu,100]", shown++ ? "," : "", g->reps[i], i);
            total++;
        }
    for (size_t e = 0; e < g->nedges; e++)
        if (g->edges[e].score >= r->threshold) {
            if (shown < MAX_EDGES)
                fprintf(o, "%s[%u,%u,%d]", shown++ ? "," : "", g->edges[e].a, g->edges[e].b, g->edges[e].score);
            total++;
        }
    fprintf(o, "],\"edges_total\":%zu", total);
}

/* [size, central, name] per family, the name from its members (identity.c) */
static bool families_json(FILE *o, const report *r)
{
    uint32_t *start = NULL, *mem = NULL;
    if (!families_members(r->f, &start, &mem))
        return false;
    fputs(",\"families\":[", o);
    for (size_t k = 0; k < r->f->nfam; k++) {
        char name[256];
        const char *src;
        family_name(r->s, mem + start[k], start[k + 1] - start[k], r->lab, r->label_of, k, name, sizeof name, &src);
        fprintf(o, "%s[%u,%u,", k ? "," : "", r->f->size[k], r->f->central[k]);
        json_cstr(o, name);
        fputc(']', o);
    }
    fputc(']', o);
    free(start);
    free(mem);
    return true;
}

static bool data_json(FILE *o, const report *r)
{
    const sampleset *s = r->s;
    fprintf(o, "{\"threshold\":%d,\"samples\":[", r->threshold);
    for (size_t i = 0; i < s->n; i++) { /* [path, label, family, go, os/arch, main-module version] */
        const sample *x = &s->v[i];
        fputs(i ? ",[" : "[", o);
        json_cstr(o, x->path);
        long l = r->label_of && r->label_of[i] != UINT32_MAX ? (long)r->label_of[i] : -1;
        fprintf(o, ",%ld,%u,", l, r->f->family_of[i]);
        json_cstr(o, x->gover);
        char osarch[40];
        snprintf(osarch, sizeof osarch, "%s%s%s", x->os, x->os[0] ? "/" : "", x->arch);
        fputc(',', o);
        json_cstr(o, osarch);
        fputc(',', o);
        json_cstr(o, x->modver);
        fputc(']', o);
    }
    fputs("],\"labels\":[", o);
    for (size_t k = 0; r->lab && k < labels_count(r->lab); k++) {
        fputs(k ? "," : "", o);
        json_cstr(o, labels_name(r->lab, (uint32_t)k));
    }
    fputc(']', o);
    if (!families_json(o, r))
        return false;
    edges_json(o, r);
    rows_json(o, "sweep", r->sweep, r->nsweep);
    rows_json(o, "file_sweep", r->file_sweep, r->nfile_sweep);
    rows_json(o, "other_sweep", r->other_sweep, r->nother_sweep);
    fputs(",\"measure\":", o);
    json_cstr(o, r->measure ? r->measure : "gimpfuzzy");
    fputs(",\"other\":", o);
    json_cstr(o, r->other ? r->other : "");
    if (r->exact)
        fprintf(o, ",\"exact\":[%zu,%.6f,%.6f,%.6f]", r->exact->nfam, r->exact->m.homogeneity,
                r->exact->m.completeness, r->exact->m.v_measure);
    else
        fputs(",\"exact\":null", o);
    const score_row *at = r->at;
    for (size_t i = 0; !at && i < r->nsweep; i++)
        if (r->sweep[i].threshold == r->threshold)
            at = &r->sweep[i];
    if (at)
        fprintf(o, ",\"vm\":[%.6f,%.6f,%.6f]", at->m.homogeneity, at->m.completeness, at->m.v_measure);
    else
        fputs(",\"vm\":null", o);
    timeline_json(o, r);
    fputc('}', o);
    return true;
}

bool report_html_write(const char *file, const report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        report_error(file, strerror(errno));
        return false;
    }
    bool built = data_json(mem, r);
    if (fclose(mem) != 0 || !built) {
        free(buf);
        report_error(file, mg_status_reason(MG_ERR_NOMEM));
        return false;
    }
    atomic_out ao;
    const char *why;
    if (!atomic_out_open(file, false, &ao, &why)) {
        report_error(file, why);
        free(buf);
        return false;
    }
    FILE *o = ao.f;
    fputs(page_head, o);
    /* '<' only occurs inside JSON strings: escape it so that no path can
     * close the script element */
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '<')
            fputs("\\u003c", o);
        else
            fputc(buf[i], o);
    }
    fputs(page_tail, o);
    free(buf);
    if (!atomic_out_commit(&ao, &why)) {
        report_error(file, why);
        return false;
    }
    return true;
}
